import { readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { h264AacMp4, noisyMp4 } from "./media";

// The browser tests hand the page files on disk: the shared recipes of ./media.ts, written out.

/** A short H.264/AAC MP4 of a test pattern and a tone, at 25 fps (so a keyframe every 10 s): about 25 KB a second. */
export async function makeSmallVideo(file: string, seconds = 2): Promise<void> {
  await writeFile(file, (await h264AacMp4({ seconds, fps: 25 })).bytes);
}

/** An MP4 of visual noise, which barely compresses: about 4.5 MB a second, for multipart-sized files. */
export async function makeNoiseVideo(file: string, seconds: number): Promise<void> {
  await writeFile(file, (await noisyMp4({ seconds })).bytes);
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
