// Thumbnail choice without decoding the whole video: a frame is grabbed by input seeking
// at about 10% of the duration (past intros and fade-ins, still early); if it is black or
// a flat colour, later points are tried. Each grab also yields a 32×18 grey copy of the
// frame, whose brightness and contrast decide.

export const THUMBNAIL_POSITIONS = [0.1, 0.25, 0.5, 0.75];
export const LUMA_SAMPLE = { width: 32, height: 18 };

export type FrameStats = { mean: number; deviation: number };

export function frameStats(gray: Uint8Array): FrameStats {
  if (gray.length === 0) return { mean: 0, deviation: 0 };
  let sum = 0;
  for (const v of gray) sum += v;
  const mean = sum / gray.length;
  let squares = 0;
  for (const v of gray) squares += (v - mean) ** 2;
  return { mean, deviation: Math.sqrt(squares / gray.length) };
}

/** Black (video black is 16) or one flat colour: not a picture anyone wants to click. */
export function looksBlank(stats: FrameStats): boolean {
  return stats.mean < 28 || stats.deviation < 4;
}

/** Ranks frames when every candidate looks blank: the most detailed, then the brightest. */
export function frameScore(stats: FrameStats): number {
  return stats.deviation + stats.mean / 8;
}

/**
 * Where to grab: about 10%, then later points. Each snaps to a keyframe close by when
 * there is one, so the grab decodes one frame instead of a whole GOP from the keyframe
 * before it (seconds of 720p decoding when keyframes are 8 s apart).
 */
export function thumbnailTimes(durationSeconds: number, keyframes: number[] = []): number[] {
  const last = Math.max(0, durationSeconds - 0.1);
  const reach = Math.min(3, durationSeconds * 0.05);
  const times = THUMBNAIL_POSITIONS.map((f) => {
    const target = Math.min(last, durationSeconds * f);
    const nearest = keyframes.reduce<number | undefined>(
      (best, k) => (k <= last && (best === undefined || Math.abs(k - target) < Math.abs(best - target)) ? k : best),
      undefined,
    );
    return nearest !== undefined && Math.abs(nearest - target) <= reach ? nearest : target;
  });
  return [...new Set(times)];
}
