import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { envSource } from "@/lib/env";
import { ffmpegPath } from "@/lib/media/binaries";

// Media for the tests, generated with ffmpeg's lavfi sources: small (a few seconds, at most
// 320×240 unless a test needs more) so the suites stay cheap on a shared machine. Each file
// is made once per test worker. This is the one place tests run ffmpeg (runFfmpeg); the
// browser's, the fault suite's and the benchmark's media are made with it too.

const run = promisify(execFile);
const cache = new Map<string, Promise<Buffer>>();
let dirPromise: Promise<string> | undefined;

export type TestMedia = { bytes: Buffer; filename: string; contentType: string };

function workDir(): Promise<string> {
  dirPromise ??= mkdtemp(path.join(os.tmpdir(), "clipcrafter-test-media-"));
  return dirPromise;
}

/**
 * Runs ffmpeg quietly (errors only, never waiting on stdin), writing `output` over any
 * file there. The binary is found from the environment as it is (envSource), since a test
 * suite's set-up and the fault suite make media where this process has no parsed settings.
 */
export async function runFfmpeg(args: string[], output: string): Promise<void> {
  await run(ffmpegPath(envSource()), ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args, output]);
}

async function ffmpeg(args: string[], output: string): Promise<Buffer> {
  const file = path.join(await workDir(), output);
  await runFfmpeg(args, file);
  return readFile(file);
}

function cached(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  let entry = cache.get(key);
  if (!entry) {
    entry = make();
    cache.set(key, entry);
  }
  return entry;
}

export type VideoOptions = { seconds?: number; width?: number; height?: number; fps?: number; keyframeSeconds?: number };
export type AudioOptions = {
  /** A louder stretch [from, to) in seconds (ten times the amplitude), for clip selection. */
  loud?: [number, number];
};

const video = (o: VideoOptions) =>
  `testsrc=size=${o.width ?? 320}x${o.height ?? 240}:rate=${o.fps ?? 10}:duration=${o.seconds ?? 2}`;

function tone(seconds: number, audio: AudioOptions = {}): string {
  const [from, to] = audio.loud ?? [0, 0];
  return `aevalsrc=0.05*sin(2*PI*440*t)*(1+9*between(t\\,${from}\\,${to - 0.001})):s=44100:d=${seconds}`;
}

const gopArgs = (o: VideoOptions) => (o.keyframeSeconds ? ["-g", String(Math.round(o.keyframeSeconds * (o.fps ?? 10)))] : []);
const name = (base: string, o: object) => `${base}-${JSON.stringify(o).replace(/[^\w.-]+/g, "_")}`;

/** H.264 (yuv420p) + AAC in MP4: already the web format, so it is remuxed. */
export async function h264AacMp4(o: VideoOptions & AudioOptions = {}): Promise<TestMedia> {
  const key = name("h264-aac", o);
  const bytes = await cached(key, () =>
    ffmpeg(
      ["-f", "lavfi", "-i", video(o), "-f", "lavfi", "-i", tone(o.seconds ?? 2, o),
       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", ...gopArgs(o), "-c:a", "aac", "-b:a", "64k", "-shortest"],
      `${key}.mp4`,
    ),
  );
  return { bytes, filename: "talk.mp4", contentType: "video/mp4" };
}

/** 24 s with a keyframe every 2 s and a loud stretch from 4 s to 16 s: remuxed, with clips. */
export function clipWorthyMp4(): Promise<TestMedia> {
  return h264AacMp4({ seconds: 24, width: 160, height: 120, keyframeSeconds: 2, loud: [4, 16] });
}

/** 34 s with a keyframe every 2 s and a loud stretch from 12 s to 26 s: clips there and around it. */
export function loudMiddleMp4(): Promise<TestMedia> {
  return h264AacMp4({ seconds: 34, width: 160, height: 120, keyframeSeconds: 2, loud: [12, 26] });
}

/** VP9 + Opus in WebM (what browsers record): transcoded. */
export async function vp9OpusWebm(o: VideoOptions = {}): Promise<TestMedia> {
  const key = name("vp9-opus", o);
  const bytes = await cached(key, () =>
    ffmpeg(
      ["-f", "lavfi", "-i", video(o), "-f", "lavfi", "-i", tone(o.seconds ?? 2),
       "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-pix_fmt", "yuv420p",
       "-c:a", "libopus", "-b:a", "48k", "-shortest"],
      `${key}.webm`,
    ),
  );
  return { bytes, filename: "recording.webm", contentType: "video/webm" };
}

/**
 * H.264 + AAC of visual noise, which barely compresses: about 4.5 MB a second at 640×360
 * (2 s, the default, is two 5 MiB parts; 3 s three), for multipart uploads. The noise is
 * the same on every run, so two files of one length are the same bytes.
 */
export async function noisyMp4(o: { seconds?: number } = {}): Promise<TestMedia> {
  const seconds = o.seconds ?? 2;
  const key = name("noisy", { seconds });
  const bytes = await cached(key, () =>
    ffmpeg(
      ["-f", "lavfi", "-i", "nullsrc=s=640x360:r=25,geq=lum='random(1)*255':cb=128:cr=128", "-f", "lavfi", "-i", "sine=frequency=440",
       "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
       "-c:a", "aac", "-shortest", "-movflags", "+faststart"],
      `${key}.mp4`,
    ),
  );
  return { bytes, filename: "noisy.mp4", contentType: "video/mp4" };
}

/** H.264 without any audio stream. */
export async function h264NoAudioMp4(o: VideoOptions = {}): Promise<TestMedia> {
  const key = name("h264-silent", o);
  const bytes = await cached(key, () =>
    ffmpeg(["-f", "lavfi", "-i", video(o), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", ...gopArgs(o)], `${key}.mp4`),
  );
  return { bytes, filename: "screen.mp4", contentType: "video/mp4" };
}

/**
 * A phone-style portrait recording: landscape pixels (320×176) with a display matrix that
 * turns them 90°, which is how phones store portrait video.
 */
export async function rotatedPhoneMp4(): Promise<TestMedia> {
  const bytes = await cached("rotated", async () => {
    const plain = await h264AacMp4({ width: 320, height: 176 });
    const source = path.join(await workDir(), "rotated-source.mp4");
    await writeFile(source, plain.bytes);
    return ffmpeg(["-i", source, "-c", "copy", "-metadata:s:v:0", "rotate=90"], "rotated.mp4");
  });
  return { bytes, filename: "IMG_0001.mp4", contentType: "video/mp4" };
}

/** Odd width and height (161×121), as a browser recording of a resized window can have. */
export async function oddDimensionsWebm(): Promise<TestMedia> {
  const bytes = await cached("odd", () =>
    ffmpeg(
      ["-f", "lavfi", "-i", video({ width: 161, height: 121 }), "-f", "lavfi", "-i", tone(2),
       "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p",
       "-c:a", "libopus", "-shortest"],
      "odd.webm",
    ),
  );
  return { bytes, filename: "window.webm", contentType: "video/webm" };
}

/** Black for the first `blackSeconds`, then a picture: the thumbnail must skip the black. */
export async function blackStartMp4(o: { seconds: number; blackSeconds: number }): Promise<TestMedia> {
  const key = name("black-start", o);
  const bytes = await cached(key, () =>
    ffmpeg(
      ["-f", "lavfi", "-i", `color=black:size=320x240:rate=10:duration=${o.blackSeconds}`,
       "-f", "lavfi", "-i", video({ seconds: o.seconds - o.blackSeconds }),
       "-f", "lavfi", "-i", tone(o.seconds),
       "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a",
       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"],
      `${key}.mp4`,
    ),
  );
  return { bytes, filename: "intro.mp4", contentType: "video/mp4" };
}

export function zeroByteFile(): TestMedia {
  return { bytes: Buffer.alloc(0), filename: "empty.mp4", contentType: "video/mp4" };
}

/** An MP4 cut off before its index: written without faststart (moov last), first 60% kept. */
export async function truncatedMp4WithoutMoov(): Promise<TestMedia> {
  const bytes = await cached("truncated", async () => {
    const whole = await h264AacMp4({ seconds: 3 });
    if (whole.bytes.indexOf("moov") < whole.bytes.indexOf("mdat")) throw new Error("expected moov after mdat");
    const cut = whole.bytes.subarray(0, Math.floor(whole.bytes.length * 0.6));
    if (cut.includes("moov")) throw new Error("the cut still holds the moov box");
    return cut;
  });
  return { bytes, filename: "cut-off.mp4", contentType: "video/mp4" };
}

/** AAC audio alone in an MP4 container, named .mp4. */
export async function audioOnlyMp4(): Promise<TestMedia> {
  const bytes = await cached("audio-only", () =>
    ffmpeg(["-f", "lavfi", "-i", tone(2), "-c:a", "aac", "-b:a", "64k", "-f", "mp4"], "audio-only.mp4"),
  );
  return { bytes, filename: "podcast.mp4", contentType: "video/mp4" };
}

export function textFile(): TestMedia {
  return { bytes: Buffer.from("These are my meeting notes, not a video.\n".repeat(20)), filename: "notes.mp4", contentType: "video/mp4" };
}

/**
 * An HLS playlist named .mp4 whose segments are a file on this machine (as a file: URL
 * and as a plain path): the classic way to make a transcoder copy a local file into its
 * output.
 */
export function hlsPlaylistDisguisedAsMp4(localFile: string): TestMedia {
  const playlist = [
    "#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10", "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXTINF:10.0,", `file://${localFile}`,
    "#EXTINF:10.0,", localFile,
    "#EXT-X-ENDLIST", "",
  ].join("\n");
  return { bytes: Buffer.from(playlist), filename: "holiday.mp4", contentType: "video/mp4" };
}

/** A playable MPEG-TS segment on local disk, the playlist's target; its bytes must never reach an output. */
export async function localSegment(): Promise<{ file: string; bytes: Buffer }> {
  const bytes = await cached("segment", () =>
    ffmpeg(
      ["-f", "lavfi", "-i", video({ seconds: 2 }), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mpegts"],
      "private-segment.ts",
    ),
  );
  return { file: path.join(await workDir(), "private-segment.ts"), bytes };
}

/**
 * A Matroska file whose header understates its length: `seconds` of tiny frames (16×16 at
 * 1 fps unless told otherwise, so 40 minutes is some 50 KB) with the Segment's Duration
 * element rewritten to `headerSeconds`. ffprobe reports the header's duration; a demuxer
 * still hands over every frame.
 */
export async function headerUnderstatesDurationMkv(o: {
  seconds: number;
  headerSeconds: number;
  codec: "h264" | "mpeg4";
  width?: number;
  height?: number;
  fps?: number;
}): Promise<TestMedia> {
  const key = name("understated", o);
  const bytes = await cached(key, async () => {
    const size = `${o.width ?? 16}x${o.height ?? 16}`;
    const fps = o.fps ?? 1;
    const codec = o.codec === "h264" ? ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"] : ["-c:v", "mpeg4", "-q:v", "10"];
    const honest = await ffmpeg(
      ["-f", "lavfi", "-i", `testsrc=size=${size}:rate=${fps}:duration=${o.seconds}`, ...codec, "-g", String(2 * fps), "-f", "matroska"],
      `${key}.mkv`,
    );
    return withMatroskaDuration(honest, o.headerSeconds);
  });
  return { bytes, filename: "short-clip.mkv", contentType: "video/x-matroska" };
}

/** Rewrites the Segment Info Duration (EBML id 0x4489, an 8-byte float in TimestampScale units, 1 ms as ffmpeg writes it). */
function withMatroskaDuration(file: Buffer, seconds: number): Buffer {
  const at = file.indexOf(Buffer.from([0x44, 0x89, 0x88]));
  if (at < 0) throw new Error("no 8-byte Duration element in the Matroska header");
  const patched = Buffer.from(file);
  patched.writeDoubleBE(seconds * 1000, at + 3);
  return patched;
}

/**
 * One flat-colour frame of width×height as PNG in Matroska: a few hundred KB that declares
 * an enormous picture (8192×8192 is 67 megapixels, ~200 MB as RGB once decoded).
 */
export async function hugePictureMkv(o: { width: number; height: number }): Promise<TestMedia> {
  const key = name("huge-picture", o);
  const bytes = await cached(key, () =>
    ffmpeg(
      ["-f", "lavfi", "-i", `color=c=navy:size=${o.width}x${o.height}:rate=1:duration=1`, "-frames:v", "1", "-c:v", "png", "-f", "matroska"],
      `${key}.mkv`,
    ),
  );
  return { bytes, filename: "poster.mkv", contentType: "video/x-matroska" };
}
