import { execFile, type ExecFileException } from "node:child_process";
import { locateMediaTool, type MediaTool, type MediaToolLocation, type MediaToolSettings } from "./binaries";
import { mediaToolsInstallHint } from "./install-hint";

/** The encoders the pipeline asks ffmpeg for: H.264 and AAC for the web MP4 and clips, MJPEG for thumbnails. */
export const REQUIRED_ENCODERS = ["libx264", "aac", "mjpeg"] as const;

export type MediaToolState = MediaToolLocation & { version?: string; problem?: string };

export type MediaToolsReport = {
  ready: boolean;
  /** One line a person reads: versions and encoders, or what is missing and how to install it. */
  summary: string;
  tools: MediaToolState[];
  missingEncoders: string[];
};

function run(binary: string, args: string[]): Promise<{ stdout: string; error?: ExecFileException }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (error, stdout) =>
      resolve({ stdout, error: error ?? undefined }),
    );
  });
}

async function inspectTool(tool: MediaTool, settings: MediaToolSettings | undefined): Promise<MediaToolState> {
  const location = locateMediaTool(tool, settings);
  if (!location.path) return { ...location, problem: `${tool} not found (looked in ${location.from})` };
  const { stdout, error } = await run(location.path, ["-hide_banner", "-version"]);
  if (error) {
    const reason =
      error.code === "ENOENT" ? "does not exist" : error.code === "EACCES" ? "is not executable" : `does not run (${error.message.split("\n")[0]})`;
    return { ...location, problem: `${tool} at ${location.path} (from ${location.from}) ${reason}` };
  }
  const version = stdout.match(new RegExp(`^${tool} version (\\S+)`, "m"))?.[1] ?? "of unknown version";
  return { ...location, version };
}

/**
 * Checks that ffmpeg and ffprobe run and that ffmpeg has the encoders the pipeline uses.
 * `settings` as for locateMediaTool: this process's parsed settings unless given.
 */
export async function inspectMediaTools(settings?: MediaToolSettings): Promise<MediaToolsReport> {
  const [ffmpeg, ffprobe] = await Promise.all([inspectTool("ffmpeg", settings), inspectTool("ffprobe", settings)]);
  const tools = [ffmpeg, ffprobe];
  let missingEncoders: string[] = [];
  if (!ffmpeg.problem) {
    const { stdout } = await run(ffmpeg.path!, ["-hide_banner", "-encoders"]);
    const listed = new Set(stdout.split("\n").map((line) => line.trim().split(/\s+/)[1]));
    missingEncoders = REQUIRED_ENCODERS.filter((name) => !listed.has(name));
  }
  const problems = tools.flatMap((t) => (t.problem ? [t.problem] : []));
  if (missingEncoders.length) problems.push(`ffmpeg at ${ffmpeg.path} lacks the encoder(s) ${missingEncoders.join(", ")}`);
  const ready = problems.length === 0;
  const summary = ready
    ? `ffmpeg ${ffmpeg.version} (${ffmpeg.path}), ffprobe ${ffprobe.version} (${ffprobe.path}); encoders ${REQUIRED_ENCODERS.join(", ")}`
    : `${problems.join("; ")}. Videos cannot be processed until this is fixed. Install: ${mediaToolsInstallHint()}`;
  return { ready, summary, tools, missingEncoders };
}
