import path from "node:path";
import type { Db } from "@/lib/db/client";
import type { RunClaim } from "@/lib/db/queries/processing";
import { env } from "@/lib/env";
import { fractionDone } from "@/lib/media/ffmpeg-progress";
import { loudnessSamplesOutput } from "@/lib/media/loudness";
import { runFfmpeg } from "@/lib/media/ffmpeg";
import { UPLOADED_VIDEO_DEMUXERS } from "@/lib/media/media-input";
import { MediaToolError } from "@/lib/media/run-media-tool";
import { withTempDir } from "@/lib/media/temp-dir";
import { formatBytes } from "@/lib/billing/plans";
import { outputKeys } from "@/lib/storage/keys";
import { analyseWebMp4, type ClipAnalysis } from "./analyse-web-mp4";
import { formatDuration, type MediaInfo } from "./describe-media";
import { planWebMp4, webMp4OutputArgs, type WebMp4Plan } from "./plan-web-mp4";
import { ProcessingError } from "./processing-error";
import { completeStage, enterStage, recordingFailures, stageProgress } from "./run-state";
import { keepForLaterSteps, sweepStaleWorkspaces } from "./run-workspace";
import { storedMedia, uploadFile } from "./stored-media";

/** The web MP4's name in the run's workspace (see run-workspace.ts). */
export const WEB_MP4_FILE = "web.mp4";

export type WebMp4 = {
  key: string;
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
  return error;
}

/** Remux or transcode the stored source into the project's web MP4, reporting progress as ffmpeg goes. */
export async function makeWebMp4(db: Db, claim: RunClaim, params: { sourceKey: string; media: MediaInfo }): Promise<WebMp4> {
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
        ({ elapsedMs: ffmpegMs } = await runFfmpeg({
          input: await storedMedia(claim.userId, params.sourceKey),
          demuxers: UPLOADED_VIDEO_DEMUXERS,
          outputArgs: webMp4OutputArgs(plan, params.media, { preset: env().FFMPEG_PRESET }),
          outputPath: output,
          maxOutputBytes: env().OUTPUT_MAX_BYTES,
          extraOutputs: loudnessSamples ? loudnessSamplesOutput(loudnessSamples, env().OUTPUT_MAX_BYTES) : undefined,
          timeoutMs: env().FFMPEG_TIMEOUT_SECONDS * 1000,
          onProgress: (update) => progress.fraction(fractionDone(update, params.media.durationSeconds)),
        }));
      } catch (error) {
        throw explainLimitFailure(error, "Making the web MP4");
      } finally {
        await progress.flush();
      }
      const uploadStarted = performance.now();
      const [bytes, analysis] = await Promise.all([
        uploadFile(key, output, "video/mp4").then((size) => ({ size, uploadMs: performance.now() - uploadStarted })),
        analyseWebMp4(output, loudnessSamples),
      ]);
      await keepForLaterSteps(claim, WEB_MP4_FILE, output);
      return { ffmpegMs, bytes: bytes.size, uploadMs: bytes.uploadMs, analysis };
    });
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
      `Web MP4 ready: ${plan.width}×${plan.height}, ${formatBytes(result.bytes)}, ${plan.method === "remux" ? "remuxed" : "transcoded"} in ${(result.ffmpegMs / 1000).toFixed(1)} s.`,
      { method: plan.method, reasons: plan.reasons, bytes: result.bytes, ffmpegMs: Math.round(result.ffmpegMs), uploadMs: Math.round(result.uploadMs) },
      { playbackKey: key },
    );
    return webMp4;
  });
}
