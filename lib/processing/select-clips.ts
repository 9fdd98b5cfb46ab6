import type { Db } from "@/lib/db/client";
import type { RunClaim } from "@/lib/db/queries/processing";
import type { ClipAnalysis } from "./analyse-web-mp4";
import { chooseClips, type ClipWindow } from "./choose-clips";
import { recordingFailures } from "./run-state";

/** Where the highlight clips go, from the web MP4's keyframes and loudness (see choose-clips.ts). */
export async function selectClips(
  db: Db,
  claim: RunClaim,
  params: { durationSeconds: number; analysis: ClipAnalysis; count: number },
): Promise<ClipWindow[]> {
  return recordingFailures(db, claim, "clips", async () =>
    chooseClips({
      durationSeconds: params.durationSeconds,
      keyframes: params.analysis.keyframes,
      loudness: params.analysis.loudness,
      count: params.count,
    }),
  );
}
