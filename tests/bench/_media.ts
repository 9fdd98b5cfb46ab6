import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runFfmpeg } from "@/tests/support/media";

// The benchmark's inputs: 60 s of 1280×720 at 30 fps with a moving test pattern and a
// tone, once as H.264/AAC MP4 (x264 defaults but the veryfast preset: CRF 23, keyframes
// at most 250 frames apart, index at the end as cameras write it) and once as a
// browser-recording-style VP9/Opus WebM. Made once and kept in the temp folder. Their own
// recipes, not the tests' small ones: results stay comparable only while the inputs do.

const dir = path.join(os.tmpdir(), "clipcrafter-bench-media");
const SOURCE = "testsrc2=size=1280x720:rate=30:duration=60";
const TONE = "sine=frequency=440:sample_rate=48000:duration=60";

async function make(name: string, args: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  if (existsSync(file)) return file;
  const partial = `${file}.partial${path.extname(name)}`;
  await runFfmpeg(args, partial);
  await rename(partial, file);
  return file;
}

export function h264Aac720p(): Promise<string> {
  return make("h264-aac-720p-60s-veryfast.mp4", [
    "-f", "lavfi", "-i", SOURCE, "-f", "lavfi", "-i", TONE,
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "128k", "-shortest",
  ]);
}

export function vp9Opus720p(): Promise<string> {
  return make("vp9-opus-720p-60s.webm", [
    "-f", "lavfi", "-i", SOURCE, "-f", "lavfi", "-i", TONE,
    "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-b:v", "2M", "-pix_fmt", "yuv420p",
    "-c:a", "libopus", "-b:a", "96k", "-shortest",
  ]);
}
