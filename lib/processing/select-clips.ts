import type { Db } from "@/lib/db/client";
import type { RunClaim } from "@/lib/db/queries/processing";
import { keyframeTimes } from "@/lib/media/ffprobe";
import { loudnessProfile } from "@/lib/media/loudness";
import { WEB_MP4_DEMUXERS } from "@/lib/media/media-input";
import { chooseClips, type ClipWindow } from "./choose-clips";
import { enterStage, recordingFailures } from "./run-state";
import { storedMedia } from "./stored-media";

export const ANALYSIS_TIMEOUT_MS = 10 * 60_000;
const LOUDNESS_BIN_SECONDS = 0.5;

/** Where the highlight clips go: keyframes and loudness of the web MP4 (see choose-clips.ts). */
export async function selectClips(
  db: Db,
  claim: RunClaim,
  params: { playbackKey: string; durationSeconds: number; hasAudio: boolean; count: number },
): Promise<ClipWindow[]> {
  return recordingFailures(db, claim, "clips", async () => {
    await enterStage(db, claim, "clips", params.count > 0 ? "Choosing and cutting highlight clips" : "Highlight clips are turned off");
    if (params.count === 0) return [];
    const input = await storedMedia(params.playbackKey);
    const options = { demuxers: WEB_MP4_DEMUXERS, timeoutMs: ANALYSIS_TIMEOUT_MS };
    const [keyframes, loudness] = await Promise.all([
      keyframeTimes(input, options),
      params.hasAudio ? loudnessProfile(input, { ...options, binSeconds: LOUDNESS_BIN_SECONDS }) : Promise.resolve(null),
    ]);
    return chooseClips({ durationSeconds: params.durationSeconds, keyframes, loudness, count: params.count });
  });
}
