import { describe, expect, it } from "vitest";
import type { MediaInfo } from "@/lib/processing/describe-media";
import { CRF, fitWebSize, planWebMp4, webMp4OutputArgs } from "@/lib/processing/plan-web-mp4";

function media(overrides: { video?: Partial<MediaInfo["video"]>; audio?: MediaInfo["audio"]; container?: string } = {}): MediaInfo {
  return {
    container: overrides.container ?? "mov,mp4,m4a,3gp,3g2,mj2",
    durationSeconds: 60,
    bitRate: 4_000_000,
    streamCount: 2,
    video: {
      codec: "h264",
      profile: "High",
      pixelFormat: "yuv420p",
      bitDepth: 8,
      width: 1280,
      height: 720,
      displayWidth: 1280,
      displayHeight: 720,
      rotation: 0,
      frameRate: 30,
      bitRate: 3_800_000,
      ...overrides.video,
    },
    audio: overrides.audio === undefined ? { codec: "aac", channels: 2, sampleRate: 48000, bitRate: 128000 } : overrides.audio,
  };
}

describe("deciding between remux and transcode", () => {
  it("remuxes H.264 8-bit 4:2:0 with AAC without re-encoding", () => {
    const plan = planWebMp4(media());
    expect(plan).toMatchObject({ method: "remux", video: "copy", audio: "copy", width: 1280, height: 720 });
    const args = webMp4OutputArgs(plan, media(), { preset: "veryfast" });
    expect(args).toEqual(expect.arrayContaining(["-c:v", "copy", "-c:a", "copy", "-movflags", "+faststart"]));
    expect(args).not.toContain("libx264");
  });

  it("remuxes H.264 without audio, mapping the video only", () => {
    const plan = planWebMp4(media({ audio: null }));
    expect(plan).toMatchObject({ method: "remux", audio: "none" });
    expect(webMp4OutputArgs(plan, media({ audio: null }), { preset: "veryfast" })).not.toContain("0:a:0");
  });

  it("remuxes H.264/AAC from Matroska too", () => {
    expect(planWebMp4(media({ container: "matroska,webm" })).method).toBe("remux");
  });

  it("transcodes VP9 to H.264/AAC with CRF 23 and the configured preset", () => {
    const source = media({ video: { codec: "vp9" }, audio: { codec: "opus", channels: 2, sampleRate: 48000, bitRate: 96000 } });
    const plan = planWebMp4(source);
    expect(plan).toMatchObject({ method: "transcode", video: "encode", audio: "encode" });
    const args = webMp4OutputArgs(plan, source, { preset: "faster" });
    expect(args.join(" ")).toContain(`-c:v libx264 -preset faster -crf ${CRF} -pix_fmt yuv420p`);
    expect(args.join(" ")).toContain("-c:a aac");
    expect(args.join(" ")).toContain("+faststart");
  });

  it("transcodes 10-bit H.264", () => {
    expect(planWebMp4(media({ video: { pixelFormat: "yuv420p10le", bitDepth: 10 } })).method).toBe("transcode");
  });

  it("transcodes 4:4:4 H.264", () => {
    expect(planWebMp4(media({ video: { pixelFormat: "yuv444p" } })).method).toBe("transcode");
  });

  it("transcodes a rotated phone video so the picture itself is upright, at its portrait size", () => {
    const plan = planWebMp4(media({ video: { rotation: 90, width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920 } }));
    expect(plan).toMatchObject({ method: "transcode", width: 1080, height: 1920 });
  });

  it("re-encodes only the audio when H.264 comes with MP3", () => {
    const plan = planWebMp4(media({ audio: { codec: "mp3", channels: 2, sampleRate: 44100, bitRate: 128000 } }));
    expect(plan).toMatchObject({ method: "transcode", video: "copy", audio: "encode" });
  });

  it("downmixes more than two channels to stereo when encoding audio", () => {
    const source = media({ audio: { codec: "ac3", channels: 6, sampleRate: 48000, bitRate: 384000 } });
    expect(webMp4OutputArgs(planWebMp4(source), source, { preset: "veryfast" }).join(" ")).toContain("-ac 2");
  });
});

describe("web MP4 size", () => {
  it("keeps sizes up to 1080p and makes them even", () => {
    expect(fitWebSize(161, 121)).toEqual({ width: 160, height: 120 });
    expect(fitWebSize(1280, 720)).toEqual({ width: 1280, height: 720 });
  });

  it("scales 4K down to 1080p, landscape and portrait", () => {
    expect(fitWebSize(3840, 2160)).toEqual({ width: 1920, height: 1080 });
    expect(fitWebSize(2160, 3840)).toEqual({ width: 1080, height: 1920 });
  });

  it("keeps the aspect ratio of an ultra-wide picture within 1920 wide", () => {
    expect(fitWebSize(5000, 1000)).toEqual({ width: 1920, height: 384 });
  });
});
