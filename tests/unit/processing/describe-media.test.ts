import { describe, expect, it } from "vitest";
import { checkMediaLimits, checkRealDuration, describeMedia, rotationOf } from "@/lib/processing/describe-media";
import { ProcessingError } from "@/lib/processing/processing-error";
import type { ProbeOutput } from "@/lib/media/ffprobe";

const h264 = {
  index: 0,
  codec_type: "video",
  codec_name: "h264",
  profile: "High",
  pix_fmt: "yuv420p",
  width: 1920,
  height: 1080,
  sample_aspect_ratio: "1:1",
  avg_frame_rate: "30000/1001",
  bits_per_raw_sample: "8",
  bit_rate: "8000000",
};
const aac = { index: 1, codec_type: "audio", codec_name: "aac", channels: 2, sample_rate: "48000", bit_rate: "128000" };

function probe(streams: ProbeOutput["streams"], duration = "61.2"): ProbeOutput {
  return { streams, format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration, bit_rate: "8200000", nb_streams: streams?.length } };
}

function refusal(run: () => unknown): ProcessingError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProcessingError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("reading ffprobe's description of a file", () => {
  it("gives duration, dimensions, codecs, pixel format, frame rate and bitrates", () => {
    const media = describeMedia(probe([h264, aac]));
    expect(media).toMatchObject({
      durationSeconds: 61.2,
      bitRate: 8_200_000,
      streamCount: 2,
      video: { codec: "h264", pixelFormat: "yuv420p", bitDepth: 8, width: 1920, height: 1080, rotation: 0, bitRate: 8_000_000 },
      audio: { codec: "aac", channels: 2, sampleRate: 48000 },
    });
    expect(media.video.frameRate).toBeCloseTo(29.97, 2);
  });

  it("reads a phone's display matrix and swaps the shown width and height", () => {
    const phone = { ...h264, side_data_list: [{ side_data_type: "Display Matrix", rotation: -90 }] };
    const media = describeMedia(probe([phone, aac]));
    expect(media.video.rotation).toBe(270);
    expect([media.video.displayWidth, media.video.displayHeight]).toEqual([1080, 1920]);
  });

  it("reads the older rotate tag", () => {
    expect(rotationOf({ ...h264, tags: { rotate: "90" } })).toBe(90);
  });

  it("applies a non-square pixel aspect ratio to the shown width", () => {
    const anamorphic = { ...h264, width: 720, height: 576, sample_aspect_ratio: "16:11" };
    expect(describeMedia(probe([anamorphic])).video.displayWidth).toBe(1047);
  });

  it("takes the bit depth from a 10-bit pixel format", () => {
    const { bits_per_raw_sample: _, ...tenBit } = { ...h264, pix_fmt: "yuv420p10le" };
    expect(describeMedia(probe([tenBit])).video.bitDepth).toBe(10);
  });

  it("refuses a file with audio only, saying it has no picture", () => {
    const error = refusal(() => describeMedia(probe([aac])));
    expect(error.code).toBe("no_video_stream");
    expect(error.message).toMatch(/sound but no picture/);
  });

  it("does not count cover art as a video stream", () => {
    const cover = { ...h264, codec_name: "mjpeg", disposition: { attached_pic: 1 } };
    expect(refusal(() => describeMedia(probe([aac, cover]))).code).toBe("no_video_stream");
  });

  it("refuses a file without a duration", () => {
    expect(refusal(() => describeMedia(probe([h264], "N/A"))).code).toBe("not_a_video");
  });
});

describe("limits checked before any heavy work", () => {
  const limits = { maxDurationSeconds: 30 * 60, planName: "Free", maxPixels: 4096 * 2304 };

  it("refuses a video longer than the plan allows, naming the plan and its limit", () => {
    const error = refusal(() => checkMediaLimits(describeMedia(probe([h264, aac], "2700")), limits));
    expect(error.code).toBe("too_long");
    expect(error.message).toContain("45 min");
    expect(error.message).toContain("Free plan accepts videos up to 30 min");
  });

  it("refuses a side over 8192 pixels", () => {
    const error = refusal(() => checkMediaLimits(describeMedia(probe([{ ...h264, width: 10000, height: 5000 }])), limits));
    expect(error.code).toBe("dimensions_too_large");
    expect(error.message).toContain("10000×5000");
  });

  it("refuses an 8192×8192 picture by its pixel count although no side is over 8192, naming both sizes in megapixels", () => {
    const error = refusal(() => checkMediaLimits(describeMedia(probe([{ ...h264, width: 8192, height: 8192 }])), limits));
    expect(error.code).toBe("dimensions_too_large");
    expect(error.message).toContain("8192×8192 pixels (67.1 megapixels a frame)");
    expect(error.message).toContain("up to 9.4 megapixels");
    expect(error.details).toMatchObject({ pixels: 8192 * 8192, maxPixels: 4096 * 2304 });
  });

  it("accepts 4K UHD and 4096×2304 in either orientation, and refuses one pixel row more", () => {
    for (const [width, height] of [[3840, 2160], [2160, 3840], [4096, 2304], [2304, 4096]] as const) {
      expect(() => checkMediaLimits(describeMedia(probe([{ ...h264, width, height }])), limits)).not.toThrow();
    }
    expect(refusal(() => checkMediaLimits(describeMedia(probe([{ ...h264, width: 4096, height: 2305 }])), limits)).code).toBe(
      "dimensions_too_large",
    );
  });

  it("uses the configured pixel cap", () => {
    const small = { ...limits, maxPixels: 1920 * 1080 };
    expect(refusal(() => checkMediaLimits(describeMedia(probe([{ ...h264, width: 2560, height: 1440 }])), small)).code).toBe(
      "dimensions_too_large",
    );
    expect(() => checkMediaLimits(describeMedia(probe([h264])), small)).not.toThrow();
  });

  it("refuses an unreasonable number of streams", () => {
    const many = [h264, ...Array.from({ length: 40 }, (_, i) => ({ ...aac, index: i + 1 }))];
    const error = refusal(() => checkMediaLimits(describeMedia(probe(many)), limits));
    expect(error.code).toBe("too_many_streams");
    expect(error.message).toContain("41 streams");
  });

  it("accepts an ordinary video", () => {
    expect(() => checkMediaLimits(describeMedia(probe([h264, aac])), limits)).not.toThrow();
  });
});

describe("the plan's limit on the duration measured on the web MP4", () => {
  const limits = { maxDurationSeconds: 30 * 60, planName: "Free", headerSeconds: 5 };

  it("refuses a video that holds more than the plan allows although its header says 5 s, in the plan's words", () => {
    const error = refusal(() => checkRealDuration(30 * 60 + 1, limits));
    expect(error.code).toBe("too_long");
    expect(error.message).toBe(
      "This video is longer than the Free plan allows (30 min): its file says it lasts 5 s, but it holds more than 30 min of video. Trim it, or upgrade your plan.",
    );
    expect(error.details).toEqual({ headerSeconds: 5, measuredSeconds: 1801, maxDurationSeconds: 1800 });
  });

  it("accepts a video at the limit, with half a second for container rounding", () => {
    expect(() => checkRealDuration(30 * 60, limits)).not.toThrow();
    expect(() => checkRealDuration(30 * 60 + 0.5, limits)).not.toThrow();
    expect(() => checkRealDuration(30 * 60 + 0.6, limits)).toThrow(/longer than the Free plan allows/);
  });
});
