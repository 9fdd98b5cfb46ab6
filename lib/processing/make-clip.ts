import path from "node:path";
import type { Db } from "@/lib/db/client";
import { updateRunState, upsertClip, type RunClaim } from "@/lib/db/queries/processing";
import { newShareToken } from "@/lib/clips/share-token";
import { env } from "@/lib/env";
import { KEYFRAME_SEEK_NUDGE_SECONDS, runFfmpeg } from "@/lib/media/ffmpeg";
import { WEB_MP4_DEMUXERS } from "@/lib/media/media-input";
import { withTempDir } from "@/lib/media/temp-dir";
import { outputKeys } from "@/lib/storage/keys";
import type { ClipWindow } from "./choose-clips";
import { grabFrame } from "./make-thumbnail";
import { explainLimitFailure } from "./make-web-mp4";
import { RunNoLongerHoldsProject } from "./processing-error";
import { recordingFailures } from "./run-state";
import { overallProgress } from "./stages";
import { storedMedia, uploadFile } from "./stored-media";

export const CLIP_TIMEOUT_MS = 10 * 60_000;
const CLIP_THUMBNAIL_MAX_WIDTH = 640;
// Clips that cannot be copied are short; a fast preset keeps them cheap.
const FAST_PRESETS = ["ultrafast", "superfast", "veryfast"];

function clipPreset(): string {
  const configured = env().FFMPEG_PRESET;
  return FAST_PRESETS.includes(configured) ? configured : "veryfast";
}

/**
 * Clip output options. A clip starting on a keyframe is a copy of the web MP4's packets
 * (input seeking lands exactly on it); otherwise it is re-encoded with a fast preset.
 */
export function clipOutputArgs(clip: ClipWindow): string[] {
  const codec = clip.copy
    ? ["-c", "copy"]
    : ["-c:v", "libx264", "-preset", clipPreset(), "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k"];
  return [
    "-t", (clip.endSeconds - clip.startSeconds).toFixed(6),
    "-map", "0:v:0", "-map", "0:a:0?",
    ...codec,
    "-avoid_negative_ts", "make_zero", "-movflags", "+faststart",
  ];
}

/** One highlight clip: MP4 and thumbnail under the project's prefix, and its row with a share token. */
export async function makeClip(
  db: Db,
  claim: RunClaim,
  params: { playbackKey: string; clip: ClipWindow; clipCount: number },
): Promise<{ position: number; key: string; thumbnailKey: string; shareToken: string }> {
  const { clip } = params;
  return recordingFailures(db, claim, "clips", async () => {
    const key = outputKeys.clip(claim.userId, claim.projectId, clip.position);
    const thumbnailKey = outputKeys.clipThumbnail(claim.userId, claim.projectId, clip.position);
    await withTempDir(async (dir) => {
      const output = path.join(dir, "clip.mp4");
      const thumbnail = path.join(dir, "clip.jpg");
      try {
        await runFfmpeg({
          input: await storedMedia(params.playbackKey),
          demuxers: WEB_MP4_DEMUXERS,
          seekSeconds: clip.copy ? clip.startSeconds + KEYFRAME_SEEK_NUDGE_SECONDS : clip.startSeconds,
          outputArgs: clipOutputArgs(clip),
          outputPath: output,
          maxOutputBytes: env().OUTPUT_MAX_BYTES,
          timeoutMs: CLIP_TIMEOUT_MS,
        });
        // From the clip just written, on local disk: a frame half a second in (a separate
        // run, so decoding stops there instead of following the whole clip).
        await grabFrame({
          input: { file: output },
          demuxers: WEB_MP4_DEMUXERS,
          atSeconds: Math.min(0.5, (clip.endSeconds - clip.startSeconds) / 2),
          outputPath: thumbnail,
          maxWidth: CLIP_THUMBNAIL_MAX_WIDTH,
        });
      } catch (error) {
        throw explainLimitFailure(error, `Cutting clip ${clip.position}`);
      }
      await Promise.all([uploadFile(key, output, "video/mp4"), uploadFile(thumbnailKey, thumbnail, "image/jpeg")]);
    });
    const held = await updateRunState(db, { ...claim, progress: overallProgress("clips", clip.position / params.clipCount) });
    if (!held) throw new RunNoLongerHoldsProject(claim.projectId);
    const row = await upsertClip(db, {
      projectId: claim.projectId,
      userId: claim.userId,
      position: clip.position,
      startSeconds: clip.startSeconds,
      endSeconds: clip.endSeconds,
      key,
      thumbnailKey,
      newShareToken: newShareToken(),
    });
    return { position: clip.position, key, thumbnailKey, shareToken: row.shareToken };
  });
}
