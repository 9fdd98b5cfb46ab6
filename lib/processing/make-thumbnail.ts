import path from "node:path";
import type { Db } from "@/lib/db/client";
import type { RunClaim } from "@/lib/db/queries/processing";
import { KEYFRAME_SEEK_NUDGE_SECONDS, runFfmpeg } from "@/lib/media/ffmpeg";
import { WEB_MP4_DEMUXERS, type MediaInput } from "@/lib/media/media-input";
import { withTempDir } from "@/lib/media/temp-dir";
import { outputKeys } from "@/lib/storage/keys";
import { explainLimitFailure, WEB_MP4_FILE } from "./make-web-mp4";
import { frameScore, frameStats, LUMA_SAMPLE, looksBlank, thumbnailTimes, type FrameStats } from "./pick-thumbnail";
import { completeStage, enterStage, recordingFailures } from "./run-state";
import { mediaFromWorkspace } from "./run-workspace";
import { uploadFile } from "./stored-media";

export const FRAME_TIMEOUT_MS = 120_000;
const THUMBNAIL_MAX_WIDTH = 1280;
/** A JPEG frame is a few hundred KB; anything near this is not a thumbnail. */
const FRAME_MAX_BYTES = 32 * 1024 * 1024;

/** One frame at `atSeconds` as a JPEG (at most `maxWidth` wide), with its brightness and contrast. */
export async function grabFrame(params: {
  input: MediaInput;
  demuxers: readonly string[];
  atSeconds: number;
  outputPath: string;
  maxWidth: number;
}): Promise<FrameStats> {
  const sample: Buffer[] = [];
  await runFfmpeg({
    input: params.input,
    demuxers: params.demuxers,
    // Points are often keyframes (thumbnailTimes snaps to them): the nudge keeps the seek on it.
    seekSeconds: params.atSeconds + KEYFRAME_SEEK_NUDGE_SECONDS,
    oneFrame: true,
    outputArgs: ["-map", "0:v:0", "-frames:v", "1", "-vf", `scale=w=min(${params.maxWidth}\\,iw):h=-2`, "-q:v", "3"],
    outputPath: params.outputPath,
    maxOutputBytes: FRAME_MAX_BYTES,
    extraOutputs: [
      "-map", "0:v:0", "-frames:v", "1",
      "-vf", `scale=${LUMA_SAMPLE.width}:${LUMA_SAMPLE.height},format=gray`,
      "-f", "rawvideo", "pipe:1",
    ],
    timeoutMs: FRAME_TIMEOUT_MS,
    onStdout: (chunk) => sample.push(chunk),
  });
  return frameStats(new Uint8Array(Buffer.concat(sample)));
}

/** The project's thumbnail, from the web MP4: ~10% in, skipping black or flat frames. */
export async function makeThumbnail(
  db: Db,
  claim: RunClaim,
  params: { playbackKey: string; durationSeconds: number; keyframes: number[] },
): Promise<{ key: string; atSeconds: number }> {
  return recordingFailures(db, claim, "thumbnail", async () => {
    await enterStage(db, claim, "thumbnail");
    const key = outputKeys.thumbnail(claim.userId, claim.projectId);
    const input = await mediaFromWorkspace(claim, WEB_MP4_FILE, params.playbackKey);
    const chosen = await withTempDir(async (dir) => {
      let best: { file: string; atSeconds: number; score: number } | undefined;
      for (const [i, atSeconds] of thumbnailTimes(params.durationSeconds, params.keyframes).entries()) {
        const file = path.join(dir, `candidate-${i}.jpg`);
        const stats = await grabFrame({ input, demuxers: WEB_MP4_DEMUXERS, atSeconds, outputPath: file, maxWidth: THUMBNAIL_MAX_WIDTH }).catch(
          (error: unknown) => {
            throw explainLimitFailure(error, "Making the thumbnail");
          },
        );
        const score = frameScore(stats);
        if (!looksBlank(stats)) {
          best = { file, atSeconds, score };
          break;
        }
        if (!best || score > best.score) best = { file, atSeconds, score };
      }
      await uploadFile(key, best!.file, "image/jpeg");
      return best!;
    });
    await completeStage(db, claim, "thumbnail", `Thumbnail taken at ${chosen.atSeconds.toFixed(1)} s.`, { atSeconds: chosen.atSeconds }, {
      thumbnailKey: key,
    });
    return { key, atSeconds: chosen.atSeconds };
  });
}
