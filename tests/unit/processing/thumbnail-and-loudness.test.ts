import { describe, expect, it } from "vitest";
import { createLoudnessBins } from "@/lib/media/loudness";
import { frameStats, looksBlank, thumbnailTimes } from "@/lib/processing/pick-thumbnail";

describe("thumbnail choice", () => {
  it("seeks to about 10% first, then later points", () => {
    expect(thumbnailTimes(100)).toEqual([10, 25, 50, 75]);
  });

  it("snaps each point to a keyframe close by, so a grab decodes one frame", () => {
    const keyframes = [0, 8.333, 16.667, 25, 33.333, 41.667, 50, 58.333];
    // 6 s → 8.333 and 15 s → 16.667 (within 3 s); 30 s and 45 s have none that close.
    expect(thumbnailTimes(60, keyframes)).toEqual([8.333, 16.667, 30, 45]);
  });

  it("keeps the exact point when no keyframe is near", () => {
    expect(thumbnailTimes(100, [0, 60])).toEqual([10, 25, 50, 75]);
  });

  it("stays inside a very short video", () => {
    for (const t of thumbnailTimes(0.5)) expect(t).toBeLessThanOrEqual(0.4);
  });

  it("treats black and flat frames as blank and a detailed frame as a picture", () => {
    expect(looksBlank(frameStats(new Uint8Array(576).fill(16)))).toBe(true);
    expect(looksBlank(frameStats(new Uint8Array(576).fill(128)))).toBe(true);
    const detailed = Uint8Array.from({ length: 576 }, (_, i) => (i * 37) % 256);
    expect(looksBlank(frameStats(detailed))).toBe(false);
  });
});

describe("loudness bins", () => {
  it("measures mean power per bin in dBFS, across chunk boundaries that split a sample", () => {
    const bins = createLoudnessBins(0.5, 8);
    // 4 samples per bin: a full-scale square wave (0 dBFS), then silence.
    const samples = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) samples.writeInt16LE(i % 2 ? -32768 : 32767, i * 2);
    bins.push(samples.subarray(0, 3));
    bins.push(samples.subarray(3));
    const profile = bins.finish();
    expect(profile.db).toHaveLength(2);
    expect(profile.db[0]).toBeCloseTo(0, 1);
    expect(profile.db[1]).toBe(-90);
  });
});
