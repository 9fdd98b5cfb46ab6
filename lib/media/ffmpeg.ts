import { createProgressParser, type ProgressUpdate } from "./ffmpeg-progress";
import { FFMPEG_BASE_ARGS, inputArgs, outputLocation, secretsOf, type MediaInput } from "./media-input";
import { runMediaTool } from "./run-media-tool";

/** Added to a keyframe's time when seeking to it: lands on that keyframe, never the one before. */
export const KEYFRAME_SEEK_NUDGE_SECONDS = 0.001;

export type FfmpegJob = {
  input: MediaInput;
  demuxers: readonly string[];
  /**
   * Input seeking: jump to this time before reading. ffmpeg starts at the keyframe at or
   * before it (copying starts there; decoding starts there and drops frames up to the
   * time), so a seek meant for a keyframe must not fall even a microsecond short of it.
   */
  seekSeconds?: number;
  /** Output options for the main output, written to `outputPath` and capped at `maxOutputBytes`. */
  outputArgs: string[];
  outputPath: string;
  maxOutputBytes: number;
  /** Further outputs (options and a location each), e.g. a raw frame to stdout. */
  extraOutputs?: string[];
  timeoutMs: number;
  onProgress?: (update: ProgressUpdate) => void;
  onStdout?: (chunk: Buffer) => void;
};

/** Builds the full ffmpeg command line of a job (the benchmark runs the same one by hand). */
export function ffmpegArgs(job: Omit<FfmpegJob, "timeoutMs" | "onStdout">): string[] {
  const seek = job.seekSeconds !== undefined ? ["-ss", job.seekSeconds.toFixed(6)] : [];
  return [
    ...FFMPEG_BASE_ARGS,
    ...(job.onProgress ? ["-progress", "pipe:1"] : []),
    "-nostats",
    ...inputArgs(job.input, job.demuxers, seek),
    ...job.outputArgs,
    "-fs",
    String(job.maxOutputBytes),
    outputLocation(job.outputPath),
    ...(job.extraOutputs ?? []),
  ];
}

export async function runFfmpeg(job: FfmpegJob): Promise<{ elapsedMs: number }> {
  const parse = job.onProgress ? createProgressParser(job.onProgress) : undefined;
  const { elapsedMs } = await runMediaTool({
    tool: "ffmpeg",
    args: ffmpegArgs(job),
    timeoutMs: job.timeoutMs,
    output: { path: job.outputPath, maxBytes: job.maxOutputBytes },
    onStdout: parse ?? job.onStdout,
    redact: secretsOf(job.input),
  });
  return { elapsedMs };
}
