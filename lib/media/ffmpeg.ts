import { env } from "@/lib/env";
import { createProgressParser, type ProgressUpdate } from "./ffmpeg-progress";
import { FFMPEG_BASE_ARGS, inputArgs, outputLocation, secretsOf, type MediaInput } from "./media-input";
import { memoryLimitBytes, runMediaTool } from "./run-media-tool";

/** Added to a keyframe's time when seeking to it: lands on that keyframe, never the one before. */
export const KEYFRAME_SEEK_NUDGE_SECONDS = 0.001;

export type FfmpegInput = {
  input: MediaInput;
  demuxers: readonly string[];
  /**
   * Input seeking: jump to this time before reading. ffmpeg starts at the keyframe at or
   * before it (copying starts there; decoding starts there and drops frames up to the
   * time), so a seek meant for a keyframe must not fall even a microsecond short of it.
   */
  seekSeconds?: number;
  /** Read only this much of the input from the seek point. */
  durationSeconds?: number;
  /**
   * Decode on one thread: for a single frame. A frame-threaded decoder fills every thread
   * with a frame before it hands out the first, decoding frames nobody asked for.
   */
  oneFrame?: boolean;
};

/** One output: its options, the local file it goes to, and the size it may not reach. */
export type FfmpegOutput = { args: string[]; path: string; maxBytes: number };

export type FfmpegJob = FfmpegInput & {
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

// Threads and pixels are bounded on every decoder, filter graph and encoder: ffmpeg's
// default is a thread (and a frame in flight) per core for each of them, so the memory
// a run needs grew with the machine. -max_pixels makes a decoder refuse a picture over the
// cap before allocating it, including one that appears mid-stream after the first frames
// ffprobe looked at.
function openInput(input: FfmpegInput): string[] {
  const limits = [
    ...(input.seekSeconds !== undefined ? ["-ss", input.seekSeconds.toFixed(6)] : []),
    ...(input.durationSeconds !== undefined ? ["-t", input.durationSeconds.toFixed(6)] : []),
    "-threads", input.oneFrame ? "1" : String(env().FFMPEG_THREADS),
    "-max_pixels", String(env().MEDIA_MAX_PIXELS),
  ];
  return inputArgs(input.input, input.demuxers, limits);
}

const writeOutput = (output: FfmpegOutput) => [
  ...output.args,
  "-threads", String(env().FFMPEG_THREADS),
  "-fs", String(output.maxBytes),
  outputLocation(output.path),
];

const globalArgs = () => [...FFMPEG_BASE_ARGS, "-filter_threads", String(env().FFMPEG_THREADS)];

/** Builds the full ffmpeg command line of a job (the benchmark runs the same one by hand). */
export function ffmpegArgs(job: Omit<FfmpegJob, "timeoutMs" | "onStdout">): string[] {
  return [
    ...globalArgs(),
    ...(job.onProgress ? ["-progress", "pipe:1"] : []),
    "-nostats",
    ...openInput(job),
    ...writeOutput({ args: job.outputArgs, path: job.outputPath, maxBytes: job.maxOutputBytes }),
    ...(job.extraOutputs ?? []),
  ];
}

export async function runFfmpeg(job: FfmpegJob): Promise<{ elapsedMs: number }> {
  const parse = job.onProgress ? createProgressParser(job.onProgress) : undefined;
  const { elapsedMs } = await runMediaTool({
    tool: "ffmpeg",
    args: ffmpegArgs(job),
    timeoutMs: job.timeoutMs,
    outputs: [{ path: job.outputPath, maxBytes: job.maxOutputBytes }],
    onStdout: parse ?? job.onStdout,
    redact: secretsOf(job.input),
  });
  return { elapsedMs };
}

/**
 * Several inputs to several outputs in one ffmpeg run: each ffmpeg start costs a tenth
 * of a CPU second before any work (it loads a hundred libraries), so related cuts share one.
 * Outputs name their inputs in their own -map options. The memory limit is the one-output
 * limit for each output: three 1080p clips re-encoded in one run need about three times
 * what one needs (x264 keeps its own frames and lookahead per encoder; 1.1 GB for three
 * 8 s clips), as three runs would.
 */
export type FfmpegManyJob = { inputs: FfmpegInput[]; outputs: FfmpegOutput[]; timeoutMs: number };

export function ffmpegManyArgs(job: Omit<FfmpegManyJob, "timeoutMs">): string[] {
  return [...globalArgs(), "-nostats", ...job.inputs.flatMap(openInput), ...job.outputs.flatMap(writeOutput)];
}

export async function runFfmpegMany(job: FfmpegManyJob): Promise<{ elapsedMs: number }> {
  const { elapsedMs } = await runMediaTool({
    tool: "ffmpeg",
    args: ffmpegManyArgs(job),
    timeoutMs: job.timeoutMs,
    outputs: job.outputs.map((o) => ({ path: o.path, maxBytes: o.maxBytes })),
    redact: job.inputs.flatMap((i) => secretsOf(i.input)),
    memoryLimitBytes: memoryLimitBytes(job.outputs.length),
  });
  return { elapsedMs };
}
