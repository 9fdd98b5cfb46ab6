import path from "node:path";
import type { Db } from "@/lib/db/client";
import { saveMediaInfo, type RunClaim } from "@/lib/db/queries/processing";
import { env } from "@/lib/env";
import { fractionDone } from "@/lib/media/ffmpeg-progress";
import { loudnessSamplesOutput } from "@/lib/media/loudness";
import { runFfmpeg } from "@/lib/media/ffmpeg";
import { UPLOADED_VIDEO_DEMUXERS } from "@/lib/media/media-input";
import { MediaToolError, OVER_MAX_PIXELS } from "@/lib/media/run-media-tool";
import { withTempDir } from "@/lib/media/temp-dir";
import { formatBytes, formatDuration } from "@/lib/format";
import { outputKeys } from "@/lib/storage/keys";
import { deleteOwnedObjects } from "@/lib/storage/objects";
import { analyseWebMp4, type ClipAnalysis } from "./analyse-web-mp4";
import { checkRealDuration, DURATION_TOLERANCE_SECONDS, type MediaInfo } from "./describe-media";
import { planWebMp4, webMp4OutputArgs, type WebMp4Plan } from "./plan-web-mp4";
import { ProcessingError, RunNoLongerHoldsProject } from "./processing-error";
import { completeStage, enterStage, recordingFailures, stageProgress } from "./run-state";
import { keepForLaterSteps, sweepStaleWorkspaces } from "./run-workspace";
import { uploadFile } from "./stored-media";
import { readVerifiedSource, type VerifiedSource } from "./verified-source";

/** The web MP4's name in the run's workspace (see run-workspace.ts). */
export const WEB_MP4_FILE = "web.mp4";

export type WebMp4 = {
  key: string;
  /** Measured on the web MP4 itself: what later steps cut from, whatever the source's header said. */
  durationSeconds: number;
  analysis: ClipAnalysis;
  method: WebMp4Plan["method"];
  width: number;
  height: number;
  bytes: number;
  hasAudio: boolean;
  ffmpegMs: number;
  uploadMs: number;
};

/** Limits of one ffmpeg run over untrusted media, turned into a person's error. */
export function explainLimitFailure(error: unknown, what: string): unknown {
  if (!(error instanceof MediaToolError)) return error;
  if (error.failure === "timeout") {
    return new ProcessingError(
      "processing_timeout",
      `${what} took longer than the ${formatDuration(env().FFMPEG_TIMEOUT_SECONDS)} limit and was stopped.`,
    );
  }
  if (error.failure === "output_too_large") {
    return new ProcessingError(
      "output_too_large",
      `${what} would be larger than the ${formatBytes(env().OUTPUT_MAX_BYTES)} limit and was stopped.`,
    );
  }
  if (error.failure === "memory_limit") {
    return new ProcessingError(
      "memory_limit",
      `${what} needed more memory than the ${formatBytes(env().FFMPEG_MEMORY_LIMIT_MB * 1024 * 1024)} allowed for one video and was stopped. ` +
        "The video may be damaged or use a very large picture; export it again at a common size (1080p or 4K) and upload that.",
    );
  }
  if (error.failure === "failed" && OVER_MAX_PIXELS.test(error.stderrTail)) {
    return new ProcessingError(
      "dimensions_too_large",
      `${what} was stopped: part of this video has a picture larger than the ${(env().MEDIA_MAX_PIXELS / 1e6).toFixed(1)} megapixels we accept. ` +
        "Export it at a smaller size and upload it again.",
    );
  }
  return error;
}

/**
 * How far past the plan's limit ffmpeg may read: a header can understate the duration, so
 * ffmpeg is the one told where to stop, a little past the limit so that an input which
 * goes on can be told from one that ends at the limit.
 */
export const DURATION_CAP_MARGIN_SECONDS = 1;

export function webMp4DurationCap(maxDurationSeconds: number): number {
  return maxDurationSeconds + DURATION_CAP_MARGIN_SECONDS;
}

/** Remux or transcode the stored source into the project's web MP4, reporting progress as ffmpeg goes. */
export async function makeWebMp4(
  db: Db,
  claim: RunClaim,
  params: { source: VerifiedSource; media: MediaInfo; maxDurationSeconds: number; planName: string },
): Promise<WebMp4> {
  const plan = planWebMp4(params.media);
  const stage = plan.method;
  return recordingFailures(db, claim, stage, async () => {
    await enterStage(
      db,
      claim,
      stage,
      plan.method === "remux"
        ? "Making the web MP4: the video is already H.264/AAC, so its streams are copied (no re-encode)."
        : `Making the web MP4: transcoding to H.264/AAC (${plan.reasons.join(", ")}).`,
    );
    const key = outputKeys.playback(claim.userId, claim.projectId);
    const progress = stageProgress(db, claim, stage);
    await sweepStaleWorkspaces();
    const result = await withTempDir(async (dir) => {
      const output = path.join(dir, "web.mp4");
      const loudnessSamples = plan.audio !== "none" ? path.join(dir, "loudness.s16le") : null;
      let ffmpegMs: number;
      try {
        ({ elapsedMs: ffmpegMs } = await readVerifiedSource(claim.userId, params.source, (input) =>
          runFfmpeg({
            input,
            demuxers: UPLOADED_VIDEO_DEMUXERS,
            durationSeconds: webMp4DurationCap(params.maxDurationSeconds),
            outputArgs: webMp4OutputArgs(plan, params.media, { preset: env().FFMPEG_PRESET }),
            outputPath: output,
            maxOutputBytes: env().OUTPUT_MAX_BYTES,
            extraOutputs: loudnessSamples ? loudnessSamplesOutput(loudnessSamples, env().OUTPUT_MAX_BYTES) : undefined,
            timeoutMs: env().FFMPEG_TIMEOUT_SECONDS * 1000,
            onProgress: (update) => progress.fraction(fractionDone(update, params.media.durationSeconds)),
          }),
        ));
      } catch (error) {
        throw explainLimitFailure(error, "Making the web MP4");
      } finally {
        await progress.flush();
      }
      // Stored while it is measured (each an ffmpeg-sized wait otherwise); the plan's limit
      // on what it really holds then decides, and a refused web MP4 is deleted again
      // before the refusal is recorded, so nothing of it stays.
      const uploadStarted = performance.now();
      const [stored, measured] = await Promise.allSettled([
        uploadFile(key, output, "video/mp4").then((size) => ({ size, uploadMs: performance.now() - uploadStarted })),
        analyseWebMp4(output, loudnessSamples),
      ]);
      if (measured.status === "rejected") throw measured.reason;
      const { durationSeconds, analysis } = measured.value;
      try {
        checkRealDuration(durationSeconds, { ...params, headerSeconds: params.media.durationSeconds });
      } catch (refusal) {
        if (stored.status === "fulfilled") await deleteOwnedObjects(claim.userId, [key], "refused web MP4");
        throw refusal;
      }
      if (stored.status === "rejected") throw stored.reason;
      await keepForLaterSteps(claim, WEB_MP4_FILE, output);
      return { ffmpegMs, bytes: stored.value.size, uploadMs: stored.value.uploadMs, analysis, durationSeconds };
    });
    if (Math.abs(result.durationSeconds - params.media.durationSeconds) > DURATION_TOLERANCE_SECONDS) {
      await correctDuration(db, claim, params.media, result.durationSeconds);
    }
    const webMp4: WebMp4 = {
      key,
      method: plan.method,
      width: plan.width,
      height: plan.height,
      hasAudio: plan.audio !== "none",
      ...result,
    };
    await completeStage(
      db,
      claim,
      stage,
      `Web MP4 ready: ${plan.width}×${plan.height}, ${formatDuration(result.durationSeconds)}, ${formatBytes(result.bytes)}, ${plan.method === "remux" ? "remuxed" : "transcoded"} in ${(result.ffmpegMs / 1000).toFixed(1)} s.`,
      { method: plan.method, reasons: plan.reasons, durationSeconds: result.durationSeconds, bytes: result.bytes, ffmpegMs: Math.round(result.ffmpegMs), uploadMs: Math.round(result.uploadMs) },
      { playbackKey: key },
    );
    return webMp4;
  });
}

/** The project shows the duration the video has, not the one its source's header claimed. */
async function correctDuration(db: Db, claim: RunClaim, media: MediaInfo, durationSeconds: number): Promise<void> {
  const saved = await saveMediaInfo(db, {
    ...claim,
    media: {
      durationSeconds,
      width: media.video.displayWidth,
      height: media.video.displayHeight,
      videoCodec: media.video.codec,
      audioCodec: media.audio?.codec ?? null,
      details: { ...media, durationSeconds, headerDurationSeconds: media.durationSeconds },
    },
  });
  if (!saved) throw new RunNoLongerHoldsProject(claim.projectId);
}
