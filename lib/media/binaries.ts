import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { processEnvironment } from "@/lib/env";

// ffmpeg/ffprobe: an explicit FFMPEG_PATH/FFPROBE_PATH, else the system binaries on PATH,
// else the binaries shipped in the optional @ffmpeg-installer/@ffprobe-installer packages.
const require = createRequire(import.meta.url);

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

export function ffmpegPath(): string {
  return processEnvironment().FFMPEG_PATH || onPath("ffmpeg") || fromPackage("@ffmpeg-installer/ffmpeg") || "ffmpeg";
}

export function ffprobePath(): string {
  return processEnvironment().FFPROBE_PATH || onPath("ffprobe") || fromPackage("@ffprobe-installer/ffprobe") || "ffprobe";
}
