import { readFileSync } from "node:fs";

/** The /etc/os-release fields that tell Linux distributions apart (empty when unreadable). */
export function readOsRelease(file = "/etc/os-release"): string {
  try {
    // A system file, not one of the project's: not for the output tracer to follow.
    return readFileSync(/* turbopackIgnore: true */ file, "utf8");
  } catch {
    return "";
  }
}

/**
 * What to run on this machine to get ffmpeg and ffprobe (one package brings both), or
 * how to point the app at binaries installed elsewhere.
 */
export function mediaToolsInstallHint(platform: NodeJS.Platform = process.platform, osRelease = readOsRelease()): string {
  const ids = [...osRelease.matchAll(/^(?:ID|ID_LIKE)=["']?([^"'\n]*)/gm)].flatMap((m) => m[1]!.split(/\s+/));
  const elsewhere = "or set FFMPEG_PATH and FFPROBE_PATH to binaries installed elsewhere";
  if (platform === "darwin") return `brew install ffmpeg (${elsewhere})`;
  if (platform === "linux" && ids.some((id) => id === "debian" || id === "ubuntu")) return `apt-get install -y ffmpeg (${elsewhere})`;
  if (platform === "linux" && ids.includes("alpine")) return `apk add ffmpeg (${elsewhere})`;
  if (platform === "linux" && ids.some((id) => id === "fedora" || id === "rhel")) return `dnf install ffmpeg (from RPM Fusion; ${elsewhere})`;
  return `install ffmpeg (it includes ffprobe) from your system's packages, ${elsewhere}`;
}
