import path from "node:path";
import type { Db } from "@/lib/db/client";
import { updateRunState, upsertClip, type RunClaim } from "@/lib/db/queries/processing";
import { newShareToken } from "@/lib/clips/share-token";
import { env } from "@/lib/env";
import { KEYFRAME_SEEK_NUDGE_SECONDS, runFfmpegMany, type FfmpegInput, type FfmpegOutput } from "@/lib/media/ffmpeg";
import { WEB_MP4_DEMUXERS, type MediaInput } from "@/lib/media/media-input";
import { withTempDir } from "@/lib/media/temp-dir";
import { outputKeys } from "@/lib/storage/keys";
import type { ClipWindow } from "./choose-clips";
import { explainLimitFailure } from "./make-web-mp4";
import { RunNoLongerHoldsProject } from "./processing-error";
import { recordingFailures, stageProgress } from "./run-state";
import { overallProgress } from "./stages";
import { storedMedia, uploadFile } from "./stored-media";

export const CLIPS_TIMEOUT_MS = 10 * 60_000;
const CLIP_THUMBNAIL_MAX_WIDTH = 640;
/** The clip thumbnail is a frame this far in (or half way, for a very short clip). */
const CLIP_THUMBNAIL_AT_SECONDS = 0.5;
/** A JPEG frame is a few hundred KB; anything near this is not a thumbnail. */
const FRAME_MAX_BYTES = 32 * 1024 * 1024;
// Clips that cannot be copied are short; a fast preset keeps them cheap.
const FAST_PRESETS = ["ultrafast", "superfast", "veryfast"];

function clipPreset(): string {
  const configured = env().FFMPEG_PRESET;
  return FAST_PRESETS.includes(configured) ? configured : "veryfast";
}

export type MadeClip = { position: number; key: string; thumbnailKey: string; shareToken: string };

/**
 * The inputs and outputs that cut one clip and its thumbnail. The clip reads the web MP4
 * from its start: a clip starting on a keyframe is a copy of its packets, otherwise it is
 * re-encoded with a fast preset. The thumbnail reads a separate half second a moment
 * later and decodes only that (a second output of the clip's own input would make ffmpeg
 * decode the whole clip).
 */
export function clipJob(
  source: MediaInput,
  clip: ClipWindow,
  index: number,
  files: { clip: string; thumbnail: string },
): { inputs: FfmpegInput[]; outputs: FfmpegOutput[] } {
  const length = clip.endSeconds - clip.startSeconds;
  const codec = clip.copy
    ? ["-c", "copy"]
    : ["-c:v", "libx264", "-preset", clipPreset(), "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k"];
  const [clipInput, frameInput] = [2 * index, 2 * index + 1];
  return {
    inputs: [
      { input: source, demuxers: WEB_MP4_DEMUXERS, seekSeconds: clip.startSeconds + (clip.copy ? KEYFRAME_SEEK_NUDGE_SECONDS : 0) },
      {
        input: source,
        demuxers: WEB_MP4_DEMUXERS,
        seekSeconds: clip.startSeconds + Math.min(CLIP_THUMBNAIL_AT_SECONDS, length / 2) + KEYFRAME_SEEK_NUDGE_SECONDS,
        durationSeconds: 0.5,
      },
    ],
    outputs: [
      {
        args: [
          "-map", `${clipInput}:v:0`, "-map", `${clipInput}:a:0?`, "-t", length.toFixed(6),
          ...codec,
          "-avoid_negative_ts", "make_zero", "-movflags", "+faststart",
        ],
        path: files.clip,
        maxBytes: env().OUTPUT_MAX_BYTES,
      },
      {
        args: ["-map", `${frameInput}:v:0`, "-frames:v", "1", "-vf", `scale=w=min(${CLIP_THUMBNAIL_MAX_WIDTH}\\,iw):h=-2`, "-q:v", "4"],
        path: files.thumbnail,
        maxBytes: FRAME_MAX_BYTES,
      },
    ],
  };
}

/**
 * The highlight clips, each an MP4 and a JPEG under the project's prefix and a row with
 * an unguessable share token — all cut by one ffmpeg run reading the web MP4 from storage.
 */
export async function makeClips(db: Db, claim: RunClaim, params: { playbackKey: string; clips: ClipWindow[] }): Promise<MadeClip[]> {
  if (params.clips.length === 0) return [];
  return recordingFailures(db, claim, "clips", async () => {
    const progress = stageProgress(db, claim, "clips");
    const keys = params.clips.map((clip) => ({
      clip,
      key: outputKeys.clip(claim.userId, claim.projectId, clip.position),
      thumbnailKey: outputKeys.clipThumbnail(claim.userId, claim.projectId, clip.position),
    }));
    await withTempDir(async (dir) => {
      const source = await storedMedia(params.playbackKey);
      const files = keys.map(({ clip }) => ({
        clip: path.join(dir, `clip-${clip.position}.mp4`),
        thumbnail: path.join(dir, `clip-${clip.position}.jpg`),
      }));
      const jobs = keys.map(({ clip }, i) => clipJob(source, clip, i, files[i]!));
      try {
        await runFfmpegMany({ inputs: jobs.flatMap((j) => j.inputs), outputs: jobs.flatMap((j) => j.outputs), timeoutMs: CLIPS_TIMEOUT_MS });
      } catch (error) {
        throw explainLimitFailure(error, "Cutting the highlight clips");
      }
      progress.fraction(0.5);
      await Promise.all(
        keys.flatMap(({ key, thumbnailKey }, i) => [
          uploadFile(key, files[i]!.clip, "video/mp4"),
          uploadFile(thumbnailKey, files[i]!.thumbnail, "image/jpeg"),
        ]),
      );
    });
    await progress.flush();
    // Rows only while this run still holds the project (a deleted project must not get clips).
    if (!(await updateRunState(db, { ...claim, progress: overallProgress("clips", 1) }))) {
      throw new RunNoLongerHoldsProject(claim.projectId);
    }
    const made: MadeClip[] = [];
    for (const { clip, key, thumbnailKey } of keys) {
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
      made.push({ position: clip.position, key, thumbnailKey, shareToken: row.shareToken });
    }
    return made;
  });
}
