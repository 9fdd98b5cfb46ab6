import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { envSource } from "@/lib/env";
import { ffmpegPath } from "@/lib/media/binaries";
import type { TestMedia } from "@/tests/support/media";

// Media the fault scenarios need beyond tests/support/media.ts: a recording whose
// transcode lasts long enough to be killed in the middle, and a file big enough to be a
// multipart upload (noise does not compress).

const run = promisify(execFile);

async function ffmpeg(args: string[], name: string): Promise<Buffer> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), "clipcrafter-fault-media-")), name);
  await run(ffmpegPath(envSource()), ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args, file]);
  return readFile(file);
}

const tone = (seconds: number) => `aevalsrc=0.05*sin(2*PI*440*t):s=44100:d=${seconds}`;

/** VP9 + Opus, 640×360, `seconds` long: transcoded to H.264, which takes a few seconds here. */
export async function longRecordingWebm(seconds = 20): Promise<TestMedia> {
  const bytes = await ffmpeg(
    ["-f", "lavfi", "-i", `testsrc=size=640x360:rate=24:duration=${seconds}`, "-f", "lavfi", "-i", tone(seconds),
     "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-pix_fmt", "yuv420p",
     "-c:a", "libopus", "-shortest"],
    "long.webm",
  );
  return { bytes, filename: "long-recording.webm", contentType: "video/webm" };
}

/** H.264 + AAC of noise, about 7 MB: two 5 MiB parts. */
export async function noisyMp4(): Promise<TestMedia> {
  const bytes = await ffmpeg(
    ["-f", "lavfi", "-i", "testsrc=size=640x360:rate=24:duration=1", "-f", "lavfi", "-i", tone(1),
     "-vf", "noise=alls=40:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "10", "-pix_fmt", "yuv420p",
     "-c:a", "aac", "-shortest"],
    "noisy.mp4",
  );
  return { bytes, filename: "noisy.mp4", contentType: "video/mp4" };
}
