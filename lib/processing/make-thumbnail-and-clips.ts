import { NonRetriableError } from "inngest";
import type { Db } from "@/lib/db/client";
import type { RunClaim } from "@/lib/db/queries/processing";
import { CLIP_MIN_SECONDS, type ClipWindow } from "./choose-clips";
import { makeClips, type MadeClip } from "./make-clips";
import { makeThumbnail } from "./make-thumbnail";
import { enterStage } from "./run-state";

/**
 * The thumbnail and the highlight clips, side by side: both read the web MP4 and need
 * nothing from each other. The project shows the thumbnail stage until the thumbnail is
 * done and the clips stage after it, so whatever fails, the stage names it. Both always
 * finish before this returns or throws: no ffmpeg is left running behind a failure.
 */
export async function makeThumbnailAndClips(
  db: Db,
  claim: RunClaim,
  params: { playbackKey: string; durationSeconds: number; keyframes: number[]; clips: ClipWindow[] },
): Promise<{ thumbnail: { key: string; atSeconds: number }; clips: MadeClip[] }> {
  const [thumbnail, clips] = await Promise.allSettled([
    makeThumbnail(db, claim, params).then(async (made) => {
      const message =
        params.clips.length > 0
          ? "Cutting highlight clips"
          : `No highlight clips: they are turned off, or the video is shorter than ${CLIP_MIN_SECONDS} s`;
      await enterStage(db, claim, "clips", message);
      return made;
    }),
    makeClips(db, claim, params),
  ]);
  if (thumbnail.status === "fulfilled" && clips.status === "fulfilled") return { thumbnail: thumbnail.value, clips: clips.value };
  // A failure that ended the run (a problem with the video, the project gone) wins over one
  // a retry could fix: the other part may have failed only because the run was over.
  const failures = [thumbnail, clips].flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  throw failures.find((e) => e instanceof NonRetriableError) ?? failures[0];
}
