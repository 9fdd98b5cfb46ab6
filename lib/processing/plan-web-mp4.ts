import type { MediaInfo } from "./describe-media";

// The web MP4 is H.264 (8-bit 4:2:0) with AAC audio, `faststart` (index first, so a
// browser starts playing before the download ends). A source that already has those
// streams is remuxed — its packets copied into a new MP4, no decoding, about as fast as
// copying the file. Anything else is transcoded with x264 (CRF 23, preset from settings),
// at most 1080p, even dimensions, rotation applied to the pixels.

export type WebMp4Plan = {
  method: "remux" | "transcode";
  video: "copy" | "encode";
  audio: "copy" | "encode" | "none";
  /** Output picture size. */
  width: number;
  height: number;
  /** Why the video or audio is re-encoded, for the timeline. */
  reasons: string[];
};

export const CRF = 23;
/** Keyframes at least every 2 s: seeking stays quick and clips can be cut without re-encoding. */
export const KEYFRAME_INTERVAL_SECONDS = 2;
const MAX_LONG_SIDE = 1920;
const MAX_SHORT_SIDE = 1080;
const WEB_PIXEL_FORMATS = new Set(["yuv420p", "yuvj420p"]);
// Containers whose H.264 timestamps survive a copy into MP4 (AVI's often do not).
const REMUXABLE_CONTAINERS = /^(mov|matroska)/;

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/** The display size scaled to fit 1920×1080 (either orientation), both sides even. */
export function fitWebSize(width: number, height: number): { width: number; height: number } {
  const landscape = width >= height;
  const maxW = landscape ? MAX_LONG_SIDE : MAX_SHORT_SIDE;
  const maxH = landscape ? MAX_SHORT_SIDE : MAX_LONG_SIDE;
  const scale = Math.min(1, maxW / width, maxH / height);
  return { width: even(width * scale), height: even(height * scale) };
}

export function planWebMp4(media: MediaInfo): WebMp4Plan {
  const v = media.video;
  const reasons: string[] = [];
  if (v.codec !== "h264") reasons.push(`${v.codec.toUpperCase()} video`);
  else {
    if (!v.pixelFormat || !WEB_PIXEL_FORMATS.has(v.pixelFormat) || (v.bitDepth ?? 8) !== 8) {
      reasons.push(`${v.pixelFormat ?? "unknown"} pixels (not 8-bit 4:2:0)`);
    }
    if (v.rotation !== 0) reasons.push(`rotated ${v.rotation}°`);
    if (!REMUXABLE_CONTAINERS.test(media.container)) reasons.push(`${media.container} container`);
  }
  const video = reasons.length === 0 ? "copy" : "encode";
  const audio = !media.audio ? "none" : media.audio.codec === "aac" ? "copy" : "encode";
  if (audio === "encode") reasons.push(`${media.audio!.codec.toUpperCase()} audio`);

  const size = video === "copy" ? { width: v.displayWidth, height: v.displayHeight } : fitWebSize(v.displayWidth, v.displayHeight);
  return { method: video === "copy" && audio !== "encode" ? "remux" : "transcode", video, audio, ...size, reasons };
}

/** ffmpeg output options (between the input and the output file) that make the web MP4. */
export function webMp4OutputArgs(plan: WebMp4Plan, media: MediaInfo, options: { preset: string }): string[] {
  const args = ["-map", "0:v:0"];
  if (plan.audio !== "none") args.push("-map", "0:a:0");
  if (plan.video === "copy") {
    args.push("-c:v", "copy");
  } else {
    args.push(
      "-c:v", "libx264",
      "-preset", options.preset,
      "-crf", String(CRF),
      "-pix_fmt", "yuv420p",
      "-vf", `scale=${plan.width}:${plan.height},setsar=1`,
      "-force_key_frames", `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_SECONDS})`,
      "-fpsmax", "60",
    );
  }
  if (plan.audio === "copy") args.push("-c:a", "copy");
  if (plan.audio === "encode") {
    args.push("-c:a", "aac", "-b:a", "160k");
    if ((media.audio?.channels ?? 2) > 2) args.push("-ac", "2");
  }
  args.push("-sn", "-dn", "-map_chapters", "-1", "-max_muxing_queue_size", "4096", "-movflags", "+faststart");
  return args;
}
