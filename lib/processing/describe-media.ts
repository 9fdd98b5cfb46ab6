import { formatDuration } from "@/lib/format";
import type { ProbeOutput, ProbeStream } from "@/lib/media/ffprobe";
import { ProcessingError } from "./processing-error";

export type VideoStreamInfo = {
  codec: string;
  profile: string | null;
  pixelFormat: string | null;
  bitDepth: number | null;
  /** Coded size as stored. */
  width: number;
  height: number;
  /** Size as shown: pixel aspect ratio and rotation applied. */
  displayWidth: number;
  displayHeight: number;
  /** Degrees a player turns the picture: 0, 90, 180 or 270. */
  rotation: number;
  frameRate: number | null;
  bitRate: number | null;
};

export type AudioStreamInfo = { codec: string; channels: number | null; sampleRate: number | null; bitRate: number | null };

export type MediaInfo = {
  container: string;
  durationSeconds: number;
  bitRate: number | null;
  streamCount: number;
  video: VideoStreamInfo;
  audio: AudioStreamInfo | null;
};

export const MAX_SIDE_PIXELS = 8192;
export const MAX_STREAMS = 16;

const num = (value: string | number | undefined): number | null => {
  if (value === undefined || value === "N/A") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

function ratio(value: string | undefined): number | null {
  if (!value) return null;
  const [a, b] = value.split(/[:/]/).map(Number);
  if (!a || !b || !Number.isFinite(a / b)) return null;
  return a / b;
}

/**
 * The picture's rotation from the display matrix (ffmpeg ≥ 5) or the older `rotate` tag,
 * as 0, 90, 180 or 270. Its direction does not matter here: ffmpeg applies it when
 * decoding (autorotate); what the pipeline needs is whether width and height swap.
 */
export function rotationOf(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((s) => typeof s.rotation === "number");
  const degrees = matrix ? (matrix.rotation as number) : Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

function bitDepthOf(stream: ProbeStream): number | null {
  const raw = num(stream.bits_per_raw_sample);
  if (raw) return raw;
  const match = stream.pix_fmt?.match(/p(\d{2})(le|be)$/);
  if (match) return Number(match[1]);
  return stream.pix_fmt ? 8 : null;
}

function describeVideo(stream: ProbeStream): VideoStreamInfo {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const sar = ratio(stream.sample_aspect_ratio) ?? 1;
  const rotation = rotationOf(stream);
  const shownWidth = Math.max(1, Math.round(width * sar));
  const turned = rotation === 90 || rotation === 270;
  return {
    codec: stream.codec_name ?? "unknown",
    profile: stream.profile ?? null,
    pixelFormat: stream.pix_fmt ?? null,
    bitDepth: bitDepthOf(stream),
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    rotation,
    frameRate: ratio(stream.avg_frame_rate) ?? ratio(stream.r_frame_rate),
    bitRate: num(stream.bit_rate),
  };
}

const isPicture = (s: ProbeStream) => s.codec_type === "video" && !s.disposition?.attached_pic;

/**
 * ffprobe's output as what the pipeline needs to know, or the reason it is not a video
 * we can process. Cover art (an attached picture) is not a video stream.
 */
export function describeMedia(probe: ProbeOutput): MediaInfo {
  const streams = probe.streams ?? [];
  const videoStream = streams.find(isPicture);
  const audioStream = streams.find((s) => s.codec_type === "audio");
  if (!videoStream) {
    throw audioStream
      ? new ProcessingError("no_video_stream", "This file has sound but no picture (it is an audio file). Upload a video.")
      : new ProcessingError("no_video_stream", "This file contains no video stream. Upload a video.");
  }
  const video = describeVideo(videoStream);
  if (video.width <= 0 || video.height <= 0) {
    throw new ProcessingError("not_a_video", "The video stream in this file has no picture size; the file looks damaged.");
  }
  const durationSeconds = num(probe.format?.duration) ?? num(videoStream.duration) ?? 0;
  if (!(durationSeconds > 0)) {
    throw new ProcessingError("not_a_video", "This file has no playable duration (it may be a still image or damaged).");
  }
  return {
    container: probe.format?.format_name ?? "unknown",
    durationSeconds,
    bitRate: num(probe.format?.bit_rate),
    streamCount: probe.format?.nb_streams ?? streams.length,
    video,
    audio: audioStream
      ? {
          codec: audioStream.codec_name ?? "unknown",
          channels: audioStream.channels ?? null,
          sampleRate: num(audioStream.sample_rate),
          bitRate: num(audioStream.bit_rate),
        }
      : null,
  };
}

const megapixels = (pixels: number) => `${(pixels / 1e6).toFixed(1)} megapixels`;

/** Limits that protect the service and the plan: refused before any heavy work. */
export function checkMediaLimits(media: MediaInfo, limits: { maxDurationSeconds: number; planName: string; maxPixels: number }): void {
  if (media.durationSeconds > limits.maxDurationSeconds) {
    throw new ProcessingError(
      "too_long",
      `This video is ${formatDuration(media.durationSeconds)} long; the ${limits.planName} plan accepts videos up to ` +
        `${formatDuration(limits.maxDurationSeconds)}. Trim it, or upgrade your plan.`,
      { durationSeconds: media.durationSeconds, maxDurationSeconds: limits.maxDurationSeconds },
    );
  }
  const { width, height } = media.video;
  if (width > MAX_SIDE_PIXELS || height > MAX_SIDE_PIXELS) {
    throw new ProcessingError(
      "dimensions_too_large",
      `This video is ${width}×${height} pixels; the largest side we accept is ${MAX_SIDE_PIXELS} pixels.`,
      { width, height },
    );
  }
  // The memory a decoder needs grows with the picture's area, not its longest side: one
  // 8192×8192 frame in a 200 KB file costs about 800 MB to decode and scale.
  if (width * height > limits.maxPixels) {
    throw new ProcessingError(
      "dimensions_too_large",
      `This video is ${width}×${height} pixels (${megapixels(width * height)} a frame); we accept pictures up to ` +
        `${megapixels(limits.maxPixels)}. Export it at a smaller size (4K UHD is 8.3 megapixels) and upload it again.`,
      { width, height, pixels: width * height, maxPixels: limits.maxPixels },
    );
  }
  if (media.streamCount > MAX_STREAMS) {
    throw new ProcessingError(
      "too_many_streams",
      `This file has ${media.streamCount} streams (video, audio, subtitles, data); we accept at most ${MAX_STREAMS}.`,
      { streamCount: media.streamCount },
    );
  }
}

/** Container rounding (an audio frame, a last frame's length) a measured duration may differ by. */
export const DURATION_TOLERANCE_SECONDS = 0.5;

/**
 * The plan's limit on the duration measured on the web MP4, made by an ffmpeg told to stop
 * just past the limit: a source whose header understates its length ends here, with the
 * same refusal as an honest one, instead of as a web MP4 longer than the plan allows.
 */
export function checkRealDuration(
  measuredSeconds: number,
  limits: { maxDurationSeconds: number; planName: string; headerSeconds: number },
): void {
  if (measuredSeconds <= limits.maxDurationSeconds + DURATION_TOLERANCE_SECONDS) return;
  throw new ProcessingError(
    "too_long",
    `This video is longer than the ${limits.planName} plan allows (${formatDuration(limits.maxDurationSeconds)}): its file says it ` +
      `lasts ${formatDuration(limits.headerSeconds)}, but it holds more than ${formatDuration(limits.maxDurationSeconds)} of video. ` +
      "Trim it, or upgrade your plan.",
    { headerSeconds: limits.headerSeconds, measuredSeconds, maxDurationSeconds: limits.maxDurationSeconds },
  );
}
