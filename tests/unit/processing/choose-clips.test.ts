import { describe, expect, it } from "vitest";
import { chooseClips, CLIP_MAX_SECONDS, CLIP_MIN_SECONDS } from "@/lib/processing/choose-clips";

const every = (step: number, until: number) => Array.from({ length: Math.floor(until / step) + 1 }, (_, i) => i * step);

/** Half-second loudness bins: quiet (-40 dB) except the given loud stretches (-10 dB). */
function loudness(duration: number, loud: [number, number][]) {
  const db = every(0.5, duration - 0.5).map((t) => (loud.some(([a, b]) => t >= a && t < b) ? -10 : -40));
  return { binSeconds: 0.5, db };
}

describe("choosing highlight clips", () => {
  it("picks the loudest stretch, starting and ending on keyframes, 10–30 s long", () => {
    const clips = chooseClips({ durationSeconds: 120, keyframes: every(2, 120), loudness: loudness(120, [[60, 76]]), count: 1 });
    expect(clips).toHaveLength(1);
    const [clip] = clips;
    expect(clip!.startSeconds % 2).toBe(0);
    expect(clip!.endSeconds % 2).toBe(0);
    expect(clip!.endSeconds - clip!.startSeconds).toBeGreaterThanOrEqual(CLIP_MIN_SECONDS);
    expect(clip!.endSeconds - clip!.startSeconds).toBeLessThanOrEqual(CLIP_MAX_SECONDS);
    expect(clip!.startSeconds).toBe(60);
    expect(clip!.copy).toBe(true);
  });

  it("ends a clip in a pause rather than in the middle of a loud stretch", () => {
    const [clip] = chooseClips({ durationSeconds: 90, keyframes: every(2, 90), loudness: loudness(90, [[20, 44]]), count: 1 });
    // The loud stretch runs to 44 s; the clip should not stop before it does.
    expect(clip!.endSeconds).toBeGreaterThanOrEqual(44);
  });

  it("returns up to N non-overlapping clips ordered by time, loudest moments first chosen", () => {
    const clips = chooseClips({
      durationSeconds: 180,
      keyframes: every(2, 180),
      loudness: loudness(180, [[10, 24], [90, 104], [150, 166]]),
      count: 3,
    });
    expect(clips.map((c) => c.position)).toEqual([1, 2, 3]);
    for (let i = 1; i < clips.length; i++) expect(clips[i]!.startSeconds).toBeGreaterThanOrEqual(clips[i - 1]!.endSeconds);
    expect(clips.map((c) => c.startSeconds)).toEqual([10, 90, 150]);
  });

  it("spreads clips over the video when there is no audio", () => {
    const clips = chooseClips({ durationSeconds: 300, keyframes: every(2, 300), loudness: null, count: 3 });
    expect(clips).toHaveLength(3);
    const centres = clips.map((c) => (c.startSeconds + c.endSeconds) / 2);
    expect(centres[0]).toBeLessThan(100);
    expect(centres[1]).toBeGreaterThan(100);
    expect(centres[1]).toBeLessThan(200);
    expect(centres[2]).toBeGreaterThan(200);
  });

  it("treats a silent track like no audio", () => {
    const silent = { binSeconds: 0.5, db: every(0.5, 299.5).map(() => -90) };
    const clips = chooseClips({ durationSeconds: 300, keyframes: every(2, 300), loudness: silent, count: 3 });
    expect(clips).toHaveLength(3);
    expect(clips[2]!.startSeconds).toBeGreaterThan(200);
  });

  it("makes no clips from a video shorter than the shortest clip", () => {
    expect(chooseClips({ durationSeconds: 8, keyframes: [0, 2, 4, 6], loudness: null, count: 3 })).toEqual([]);
  });

  it("makes none when clips are turned off", () => {
    expect(chooseClips({ durationSeconds: 120, keyframes: every(2, 120), loudness: null, count: 0 })).toEqual([]);
  });

  it("falls back to re-encoded clips that start between keyframes when keyframes are too sparse", () => {
    // One keyframe for the whole minute (a screen recorder's long GOP).
    const clips = chooseClips({ durationSeconds: 60, keyframes: [0], loudness: loudness(60, [[30, 45]]), count: 2 });
    expect(clips.length).toBe(2);
    expect(clips.some((c) => !c.copy)).toBe(true);
    const copied = clips.filter((c) => c.copy);
    for (const clip of copied) expect(clip.startSeconds).toBe(0);
    for (const clip of clips) expect(clip.endSeconds).toBeLessThanOrEqual(60);
  });

  it("fits the three clips a 34 s video has room for into it without overlap", () => {
    const clips = chooseClips({ durationSeconds: 34, keyframes: every(2, 34), loudness: loudness(34, [[12, 26]]), count: 3 });
    expect(clips.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < clips.length; i++) expect(clips[i]!.startSeconds).toBeGreaterThanOrEqual(clips[i - 1]!.endSeconds);
    expect(clips.every((c) => c.endSeconds <= 34 && c.endSeconds - c.startSeconds >= CLIP_MIN_SECONDS)).toBe(true);
  });
});
