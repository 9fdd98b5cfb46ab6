import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { processEnvironment } from "@/lib/env";

// ffmpeg/ffprobe: an explicit FFMPEG_PATH/FFPROBE_PATH, else the system binaries on PATH,
// else the binaries shipped in the optional @ffmpeg-installer/@ffprobe-installer packages.
const require = createRequire(import.meta.url);

export type MediaTool = "ffmpeg" | "ffprobe";

/** Where a media tool was looked up; `path` is undefined when nothing was found. */
export type MediaToolLocation = { tool: MediaTool; path: string | undefined; from: string };

function fromPackage(name: string): string | undefined {
  try {
    const pkg = require(name) as { path?: string };
    return pkg.path && existsSync(pkg.path) ? pkg.path : undefined;
  } catch {
    return undefined;
  }
}

function onPath(command: string): string | undefined {
  const dirs = (processEnvironment().PATH ?? "").split(":");
  for (const dir of dirs) {
    const candidate = `${dir}/${command}`;
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const settingOf = { ffmpeg: "FFMPEG_PATH", ffprobe: "FFPROBE_PATH" } as const;
const packageOf = { ffmpeg: "@ffmpeg-installer/ffmpeg", ffprobe: "@ffprobe-installer/ffprobe" } as const;

export function locateMediaTool(tool: MediaTool): MediaToolLocation {
  const setting = settingOf[tool];
  const explicit = processEnvironment()[setting];
  // An explicit setting is used as given, existing or not: a wrong one is reported, never
  // silently replaced by another binary.
  if (explicit) return { tool, path: explicit, from: setting };
  const system = onPath(tool);
  if (system) return { tool, path: system, from: "PATH" };
  const shipped = fromPackage(packageOf[tool]);
  if (shipped) return { tool, path: shipped, from: packageOf[tool] };
  return { tool, path: undefined, from: `PATH, ${setting} and ${packageOf[tool]}` };
}

export function ffmpegPath(): string {
  return locateMediaTool("ffmpeg").path ?? "ffmpeg";
}

export function ffprobePath(): string {
  return locateMediaTool("ffprobe").path ?? "ffprobe";
}
