import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { ffmpegPath, ffprobePath } from "./binaries";

// Every ffmpeg/ffprobe run goes through here: a wall-clock limit (SIGKILL, not a polite
// request, because a hung demuxer does not read signals it is not waiting for), an
// output size cap checked while the file grows, and a bounded stderr tail for errors.

export type MediaToolFailure = "failed" | "timeout" | "output_too_large" | "not_started";

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
};

export type MediaToolResult = { stdout: string; stderrTail: string; elapsedMs: number };

const STDERR_TAIL_BYTES = 8 * 1024;
const OUTPUT_POLL_MS = 250;

export function redactText(text: string, secrets: string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("<source>");
  return out.replace(/https?:\/\/\S+/g, "<url>");
}

export function runMediaTool(run: MediaToolRun): Promise<MediaToolResult> {
  const binary = run.tool === "ffmpeg" ? ffmpegPath() : ffprobePath();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, run.args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let failure: MediaToolFailure | undefined;

    const kill = (reason: MediaToolFailure) => {
      failure ??= reason;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill("timeout"), run.timeoutMs);
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
    child.on("close", async (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      const stderrTail = redactText(stderr, run.redact);
      // ffmpeg's own -fs stops writing at the cap and exits 0: reaching it means truncated.
      if (!failure && (await oversized())) failure = "output_too_large";
      if (!failure && code !== 0) failure = "failed";
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
