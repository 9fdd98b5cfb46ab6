import { env, type Env } from "@/lib/env";
import { findOnPath } from "@/lib/system/find-on-path";

// ffmpeg/ffprobe: an explicit FFMPEG_PATH/FFPROBE_PATH, else the system binaries on PATH.

export type MediaTool = "ffmpeg" | "ffprobe";

/**
 * The settings a media tool is located by: this process's parsed settings, unless given.
 * What checks for the tools before the settings are complete (`npm run dev` before it has
 * filled in the local stack, a test suite's set-up) passes the raw ones it has.
 */
export type MediaToolSettings = Partial<Pick<Env, "FFMPEG_PATH" | "FFPROBE_PATH">>;

/** Where a media tool was looked up; `path` is undefined when nothing was found. */
export type MediaToolLocation = { tool: MediaTool; path: string | undefined; from: string };

const settingOf = { ffmpeg: "FFMPEG_PATH", ffprobe: "FFPROBE_PATH" } as const;

export function locateMediaTool(tool: MediaTool, settings: MediaToolSettings = env()): MediaToolLocation {
  const setting = settingOf[tool];
  const explicit = settings[setting];
  // An explicit setting is used as given, existing or not: a wrong one is reported, never
  // silently replaced by another binary.
  if (explicit) return { tool, path: explicit, from: setting };
  const system = findOnPath(tool);
  if (system) return { tool, path: system, from: "PATH" };
  return { tool, path: undefined, from: `PATH and ${setting}` };
}

export function ffmpegPath(settings?: MediaToolSettings): string {
  return locateMediaTool("ffmpeg", settings).path ?? "ffmpeg";
}

export function ffprobePath(settings?: MediaToolSettings): string {
  return locateMediaTool("ffprobe", settings).path ?? "ffprobe";
}
