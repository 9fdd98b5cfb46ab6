import { envValue } from "@/lib/env";
import { findOnPath } from "@/lib/system/find-on-path";

// ffmpeg/ffprobe: an explicit FFMPEG_PATH/FFPROBE_PATH, else the system binaries on PATH.

export type MediaTool = "ffmpeg" | "ffprobe";

/** Where a media tool was looked up; `path` is undefined when nothing was found. */
export type MediaToolLocation = { tool: MediaTool; path: string | undefined; from: string };

const settingOf = { ffmpeg: "FFMPEG_PATH", ffprobe: "FFPROBE_PATH" } as const;

export function locateMediaTool(tool: MediaTool): MediaToolLocation {
  const setting = settingOf[tool];
  const explicit = envValue(setting);
  // An explicit setting is used as given, existing or not: a wrong one is reported, never
  // silently replaced by another binary.
  if (explicit) return { tool, path: explicit, from: setting };
  const system = findOnPath(tool);
  if (system) return { tool, path: system, from: "PATH" };
  return { tool, path: undefined, from: `PATH and ${setting}` };
}

export function ffmpegPath(): string {
  return locateMediaTool("ffmpeg").path ?? "ffmpeg";
}

export function ffprobePath(): string {
  return locateMediaTool("ffprobe").path ?? "ffprobe";
}
