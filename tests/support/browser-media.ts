import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { envSource } from "@/lib/env";
import { ffmpegPath } from "@/lib/media/binaries";

function ffmpeg(args: string[]): void {
  const run = spawnSync(ffmpegPath(envSource()), ["-v", "error", "-y", ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr}`);
}

/** A short H.264/AAC MP4 of a test pattern and a tone (about 200 KB for 2 s). */
export function makeSmallVideo(path: string, seconds = 2): void {
  ffmpeg([
    "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25",
    "-f", "lavfi", "-i", "sine=frequency=440",
    "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-shortest", path,
  ]);
}

/** An MP4 of visual noise, which barely compresses: about 4.5 MB per second, for multipart-sized files. */
export function makeNoiseVideo(path: string, seconds: number): void {
  ffmpeg([
    "-f", "lavfi", "-i", "nullsrc=s=640x360:r=25,geq=lum='random(1)*255':cb=128:cr=128",
    "-f", "lavfi", "-i", "sine=frequency=440",
    "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-shortest", "-movflags", "+faststart", path,
  ]);
}

/**
 * The same file with its `moov` box renamed to a type nothing knows (ffmpeg still finds a
 * moov hidden in a `free` box): it starts like an MP4, so it passes the upload's container
 * check, but no player or probe can read it. Same size as the original, so the original
 * can later replace it in storage.
 */
export function writeBrokenCopy(source: string, target: string): void {
  const bytes = readFileSync(source);
  const at = bytes.lastIndexOf(Buffer.from("moov"));
  if (at < 4) throw new Error(`${source} has no moov box to break`);
  bytes.write("zzzz", at, "latin1");
  writeFileSync(target, bytes);
}
