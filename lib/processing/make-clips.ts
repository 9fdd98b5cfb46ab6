import path from "node:path";
import type { Db } from "@/lib/db/client";
import { getProcessingProject, updateRunState, upsertClip, type RunClaim } from "@/lib/db/queries/processing";
import { recordSharedOutputIds } from "@/lib/db/queries/stored-keys";
import { newSharedOutputId, newShareToken } from "@/lib/clips/share-token";
import { env } from "@/lib/env";
import { KEYFRAME_SEEK_NUDGE_SECONDS, runFfmpegMany, type FfmpegInput, type FfmpegOutput } from "@/lib/media/ffmpeg";
import { WEB_MP4_DEMUXERS, type MediaInput } from "@/lib/media/media-input";
import { withTempDir } from "@/lib/media/temp-dir";
import { sharedKeys } from "@/lib/storage/keys";
import { deleteOwnedObjects } from "@/lib/storage/objects";
import type { ClipWindow } from "./choose-clips";
import { explainLimitFailure, WEB_MP4_FILE } from "./make-web-mp4";
import { RunNoLongerHoldsProject } from "./processing-error";
import { recordingFailures, stageProgress } from "./run-state";
import { overallProgress } from "./stages";
import { mediaFromWorkspace } from "./run-workspace";
import { uploadFile } from "./stored-media";

export const CLIPS_TIMEOUT_MS = 10 * 60_000;
const CLIP_THUMBNAIL_MAX_WIDTH = 640;
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
 * The ffmpeg runs that cut the clips and their thumbnails, both reading the web MP4: one
 * for the clips — a clip starting on a keyframe is a copy of its packets, otherwise it is
 * re-encoded with a fast preset — and one for the thumbnails, each the clip's first frame
 * (on a keyframe: one frame decoded). Two runs rather than one because ffmpeg works
 * through one run's inputs in turn, while the two runs go side by side.
 */
export function clipJobs(
  source: MediaInput,
  clips: ClipWindow[],
  files: { clip: string; thumbnail: string }[],
): { clips: FfmpegRun; thumbnails: FfmpegRun } {
  const start = (clip: ClipWindow) => clip.startSeconds + (clip.copy ? KEYFRAME_SEEK_NUDGE_SECONDS : 0);
  return {
    clips: {
      inputs: clips.map((clip) => ({ input: source, demuxers: WEB_MP4_DEMUXERS, seekSeconds: start(clip) })),
      outputs: clips.map((clip, i) => ({
        args: [
          "-map", `${i}:v:0`, "-map", `${i}:a:0?`, "-t", (clip.endSeconds - clip.startSeconds).toFixed(6),
          ...(clip.copy
            ? ["-c", "copy"]
            : ["-c:v", "libx264", "-preset", clipPreset(), "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k"]),
          "-avoid_negative_ts", "make_zero", "-movflags", "+faststart",
        ],
        path: files[i]!.clip,
        maxBytes: env().OUTPUT_MAX_BYTES,
      })),
    },
    thumbnails: {
      // Input seeking decodes from the keyframe at or before the point and stops at the first frame.
      inputs: clips.map((clip) => ({ input: source, demuxers: WEB_MP4_DEMUXERS, seekSeconds: start(clip), durationSeconds: 0.5, oneFrame: true })),
      outputs: clips.map((_, i) => ({
        args: ["-map", `${i}:v:0`, "-frames:v", "1", "-vf", `scale=w=min(${CLIP_THUMBNAIL_MAX_WIDTH}\\,iw):h=-2`, "-q:v", "4"],
        path: files[i]!.thumbnail,
        maxBytes: FRAME_MAX_BYTES,
      })),
    },
  };
}

type FfmpegRun = { inputs: FfmpegInput[]; outputs: FfmpegOutput[] };

/**
 * The highlight clips, each an MP4 and a JPEG under shared/<random id>/ and a row with
 * an unguessable share token — cut by two ffmpeg runs reading the web MP4 (the run's
 * local copy when this machine has it, else the stored object).
 */
export async function makeClips(db: Db, claim: RunClaim, params: { playbackKey: string; clips: ClipWindow[] }): Promise<MadeClip[]> {
  if (params.clips.length === 0) return [];
  return recordingFailures(db, claim, "clips", async () => {
    const progress = stageProgress(db, claim, "clips");
    // Shared under random ids recorded before anything is stored (a retry reuses them), so
    // a share link's files name neither the owner nor the project. Recorded while ffmpeg
    // cuts: only storing needs them, and it waits for them.
    const recorded = recordSharedOutputIds(db, {
      userId: claim.userId,
      projectId: claim.projectId,
      positions: params.clips.map((clip) => clip.position),
      newId: newSharedOutputId,
    }).then((sharedIds) => {
      if (!sharedIds) throw new RunNoLongerHoldsProject(claim.projectId);
      return params.clips.map((clip) => ({
        clip,
        key: sharedKeys.clip(sharedIds.get(clip.position)!),
        thumbnailKey: sharedKeys.thumbnail(sharedIds.get(clip.position)!),
      }));
    });
    // Awaited by both stores and after the runs; a refusal meanwhile is not left unhandled.
    recorded.catch(() => {});
    await withTempDir(async (dir) => {
      const source = await mediaFromWorkspace(claim, WEB_MP4_FILE, params.playbackKey);
      const files = params.clips.map((clip) => ({
        clip: path.join(dir, `clip-${clip.position}.mp4`),
        thumbnail: path.join(dir, `clip-${clip.position}.jpg`),
      }));
      const jobs = clipJobs(source, params.clips, files);
      // Each file goes to storage as soon as its run has made it and its key is recorded.
      const cutAndStore = async (run: FfmpegRun, store: (keys: Awaited<typeof recorded>) => Promise<unknown>) => {
        try {
          await runFfmpegMany({ ...run, timeoutMs: CLIPS_TIMEOUT_MS });
        } catch (error) {
          throw explainLimitFailure(error, "Cutting the highlight clips");
        }
        progress.fraction(0.5);
        await store(await recorded);
      };
      // Both settle before the scratch folder goes: a failed run never leaves the other writing.
      const results = await Promise.allSettled([
        cutAndStore(jobs.clips, (keys) => Promise.all(keys.map(({ key }, i) => uploadFile(key, files[i]!.clip, "video/mp4")))),
        cutAndStore(jobs.thumbnails, (keys) =>
          Promise.all(keys.map(({ thumbnailKey }, i) => uploadFile(thumbnailKey, files[i]!.thumbnail, "image/jpeg"))),
        ),
      ]);
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    });
    const keys = await recorded;
    await progress.flush();
    // Rows only while this run still holds the project (a deleted project must not get clips).
    if (!(await updateRunState(db, { ...claim, progress: overallProgress("clips", 1) }))) {
      // Deleted meanwhile: cleanup may already have run, so these files are this step's to remove.
      if (!(await getProcessingProject(db, claim))) {
        await deleteOwnedObjects(claim.userId, keys.flatMap((k) => [k.key, k.thumbnailKey]), "clips of a deleted project");
      }
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
