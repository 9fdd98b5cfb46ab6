import { spawn } from "node:child_process";
import { findOnPath } from "@/lib/system/find-on-path";

export function ytDlpPath(): string | undefined {
  return findOnPath("yt-dlp");
}

/**
 * Asks yt-dlp for the direct media URL behind a web page (a video platform's watch page).
 * yt-dlp fetches the page itself; only the media URL it returns goes through the guard.
 */
export function resolveMediaUrl(pageUrl: string, timeoutMs: number): Promise<string> {
  const bin = ytDlpPath();
  if (!bin) return Promise.reject(new Error("yt-dlp is not installed"));
  return new Promise((resolve, reject) => {
    // turbopackIgnore: a binary found on PATH at run time, not a file of this project, for
    // Turbopack's output tracer to leave alone ("Dynamic filesystem access causes tracing
    // of the whole project").
    const child = spawn(/* turbopackIgnore: true */ bin, ["--no-playlist", "--no-warnings", "-f", "best[ext=mp4]/best", "-g", "--", pageUrl], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("close", (code) => {
      clearTimeout(timer);
      const url = out.split("\n").map((l) => l.trim()).find((l) => /^https?:\/\//.test(l));
      if (code === 0 && url) resolve(url);
      else reject(new Error(err.trim().split("\n").pop() || `yt-dlp exited with code ${code}`));
    });
  });
}
