import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { env } from "@/lib/env";
import { currentRunSignal } from "@/lib/jobs/run-cancellation";
import { ffmpegPath, ffprobePath } from "./binaries";

// Every ffmpeg/ffprobe run goes through here: a wall-clock limit (SIGKILL, not a polite
// request, because a hung demuxer does not read signals it is not waiting for), an
// output size cap checked while the file grows, a memory limit, and a bounded stderr
// tail for errors.
//
// The memory limit is RLIMIT_DATA, set by `ulimit -d` in a /bin/sh that then execs the
// tool (same pid, so the kill above still reaches it; sh is on every system ffmpeg runs
// on, unlike prlimit). RLIMIT_DATA counts the heap and anonymous mappings, i.e. frames
// and buffers, but not shared libraries or the address space glibc reserves per thread,
// so it tracks what a run really uses (RLIMIT_AS would refuse ordinary runs first). An
// allocation past it fails inside ffmpeg, which then stops with ENOMEM: a tiny file that
// declares an enormous picture stops at the limit instead of taking the worker's memory.

export type MediaToolFailure = "failed" | "timeout" | "output_too_large" | "memory_limit" | "not_started" | "cancelled";

export class MediaToolError extends Error {
  constructor(
    readonly failure: MediaToolFailure,
    readonly tool: "ffmpeg" | "ffprobe",
    readonly stderrTail: string,
    readonly exitCode: number | null,
  ) {
    super(
      failure === "timeout"
        ? `${tool} did not finish within its time limit`
        : failure === "output_too_large"
          ? `${tool} output exceeded its size limit`
          : failure === "memory_limit"
            ? `${tool} needed more memory than its limit allows`
            : failure === "cancelled"
            ? `${tool} was stopped: its job run was cancelled`
            : failure === "not_started"
            ? `${tool} could not be started: ${stderrTail}`
            : `${tool} exited with code ${exitCode}: ${stderrTail.trim().split("\n").slice(-3).join(" | ")}`,
    );
    this.name = "MediaToolError";
  }
}

export type MediaToolRun = {
  tool: "ffmpeg" | "ffprobe";
  args: string[];
  timeoutMs: number;
  /** Files the tool writes: polled while it runs, killed when one grows past its maxBytes. */
  outputs?: { path: string; maxBytes: number }[];
  /** Receives stdout as it arrives (ffmpeg `-progress pipe:1`, raw samples). */
  onStdout?: (chunk: Buffer) => void;
  /** Collects stdout up to this many bytes (ffprobe JSON). */
  captureStdoutBytes?: number;
  /** Strings never to repeat in error messages (signed URLs). */
  redact?: string[];
  /** The run's memory limit when it is not the one-output FFMPEG_MEMORY_LIMIT_MB (see ffmpeg.ts). */
  memoryLimitBytes?: number;
  /**
   * Kills the tool at once when it aborts. Defaults to the current job run's signal, so a
   * run cancelled mid-step (its project deleted) does not leave ffmpeg working for nothing.
   */
  signal?: AbortSignal;
};

export type MediaToolResult = { stdout: string; stderrTail: string; elapsedMs: number };

const STDERR_TAIL_BYTES = 8 * 1024;
const OUTPUT_POLL_MS = 250;

// How ffmpeg, its libraries and x264 report an allocation refused by the limit: ENOMEM's
// text, x264's own message, a frame buffer that could not be had, a codec whose threads
// could not get their stacks (EAGAIN). A picture refused by -max_pixels also fails its
// get_buffer(), but that is the pixel cap speaking, not memory.
const OUT_OF_MEMORY =
  /Cannot allocate memory|malloc of size \d+ failed|get_buffer\(\) failed|opening (de|en)coder.*Resource temporarily unavailable|out of memory/i;
export const OVER_MAX_PIXELS = /exceeds specified max pixel count/;
// Deaths by signal that come from memory: an unchecked allocation (SIGSEGV, SIGBUS, an
// abort) or the kernel's OOM killer (SIGKILL; this module's own kills are recorded first).
const MEMORY_SIGNALS = new Set(["SIGSEGV", "SIGBUS", "SIGABRT", "SIGKILL"]);
// /bin/sh's exit codes when it cannot exec the tool.
const EXEC_FAILED = new Set([126, 127]);

function classifyExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): MediaToolFailure | undefined {
  if (code === 0 && !signal) return undefined;
  if (signal && MEMORY_SIGNALS.has(signal)) return "memory_limit";
  if (OUT_OF_MEMORY.test(stderr) && !OVER_MAX_PIXELS.test(stderr)) return "memory_limit";
  if (code !== null && EXEC_FAILED.has(code)) return "not_started";
  return "failed";
}

/** The command that runs `binary args` with its data segment limited to `limitBytes`. */
export function withMemoryLimit(binary: string, args: string[], limitBytes: number): { command: string; args: string[] } {
  const kib = Math.floor(limitBytes / 1024);
  return { command: "/bin/sh", args: ["-c", `ulimit -d ${kib} && exec "$0" "$@"`, binary, ...args] };
}

/** FFMPEG_MEMORY_LIMIT_MB for a run making `outputs` files: each encoder has its own frames and lookahead. */
export function memoryLimitBytes(outputs = 1): number {
  return env().FFMPEG_MEMORY_LIMIT_MB * 1024 * 1024 * Math.max(1, outputs);
}

export function redactText(text: string, secrets: string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("<source>");
  return out.replace(/https?:\/\/\S+/g, "<url>");
}

export function runMediaTool(run: MediaToolRun): Promise<MediaToolResult> {
  const binary = run.tool === "ffmpeg" ? ffmpegPath() : ffprobePath();
  const started = performance.now();
  const cancel = run.signal ?? currentRunSignal();
  return new Promise((resolve, reject) => {
    if (cancel?.aborted) {
      reject(new MediaToolError("cancelled", run.tool, "", null));
      return;
    }
    const limited = withMemoryLimit(binary, run.args, run.memoryLimitBytes ?? memoryLimitBytes());
    // turbopackIgnore: a system binary, not a project file for the output tracer to follow.
    const child = spawn(/* turbopackIgnore: true */ limited.command, limited.args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let failure: MediaToolFailure | undefined;

    const kill = (reason: MediaToolFailure) => {
      failure ??= reason;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill("timeout"), run.timeoutMs);
    const onAbort = () => kill("cancelled");
    cancel?.addEventListener("abort", onAbort, { once: true });
    const outputs = run.outputs ?? [];
    const oversized = async () => {
      const sizes = await Promise.all(outputs.map((o) => stat(o.path).then((s) => s.size).catch(() => 0)));
      return outputs.some((o, i) => sizes[i]! >= o.maxBytes);
    };
    const poll =
      outputs.length > 0
        ? setInterval(() => {
            void oversized().then((over) => {
              if (over) kill("output_too_large");
            });
          }, OUTPUT_POLL_MS)
        : undefined;

    child.stdout.on("data", (chunk: Buffer) => {
      run.onStdout?.(chunk);
      if (run.captureStdoutBytes !== undefined && stdoutBytes < run.captureStdoutBytes) {
        stdoutChunks.push(chunk);
        stdoutBytes += chunk.length;
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
    });
    child.on("error", (error) => {
      failure ??= "not_started";
      stderr = error.message;
    });
    child.on("close", async (code, signal) => {
      clearTimeout(timer);
      cancel?.removeEventListener("abort", onAbort);
      if (poll) clearInterval(poll);
      const stderrTail = redactText(stderr, run.redact);
      // ffmpeg's own -fs stops writing at the cap and exits 0: reaching it means truncated.
      if (!failure && (await oversized())) failure = "output_too_large";
      failure ??= classifyExit(code, signal, stderr);
      if (failure) {
        reject(new MediaToolError(failure, run.tool, stderrTail, code));
        return;
      }
      resolve({
        stdout: Buffer.concat(stdoutChunks).toString("utf8"),
        stderrTail,
        elapsedMs: performance.now() - started,
      });
    });
  });
}
