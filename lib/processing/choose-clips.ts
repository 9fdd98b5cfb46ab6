import type { LoudnessProfile } from "@/lib/media/loudness";

// How highlight clips are chosen (also described in the README, "Processing"):
//
// 1. Boundaries are keyframes of the web MP4. x264 — ours, and most cameras' and
//    editors' encoders — starts a new keyframe at every scene cut (its `scenecut`
//    detection) besides the regular interval (every 2 s in a transcoded web MP4), so
//    keyframes are where shots change, and a clip that starts on one can be cut by
//    copying packets, without re-encoding.
// 2. Loudness picks the moments: the audio is decoded once at 8 kHz and measured in
//    half-second bins. Each window of 10–30 s between two keyframes is scored by its mean
//    loudness (energy average); the loudest non-overlapping windows win — speech, music
//    and applause are louder than the quiet between them.
// 3. A window ends at the quietest keyframe in its allowed range (a pause, not mid-word);
//    among equally quiet ones, the one that keeps the window loudest (so a clip ends when
//    the moment does), then the one closest to 20 s.
// 4. Without audio (or with silence throughout), the clips are spread evenly over the
//    video instead, still starting and ending on keyframes.
// 5. When keyframes are too sparse to give enough windows, windows may start anywhere
//    (whole seconds); those clips are re-encoded.

export const CLIP_MIN_SECONDS = 10;
export const CLIP_MAX_SECONDS = 30;
export const CLIP_TARGET_SECONDS = 20;

export type ClipWindow = { position: number; startSeconds: number; endSeconds: number; copy: boolean };

type Window = { start: number; end: number; copy: boolean; score: number };
/** A start with its possible ends, best first; scored by the window to its best end. */
type Candidate = { start: number; ends: number[]; copy: boolean; score: number };

const EPSILON = 0.05;
/** Two ends this close in loudness count as equally quiet. */
const QUIET_TIE_DB = 1.5;
/** Two windows this close in mean loudness count as equally loud. */
const LEVEL_TIE_DB = 0.5;
const AUDIBLE_DB = -60;

type Loudness = { meanDb: (from: number, to: number) => number; pointDb: (at: number) => number };

function measure(profile: LoudnessProfile): Loudness {
  const bin = profile.binSeconds;
  const prefix = [0];
  for (const db of profile.db) prefix.push(prefix[prefix.length - 1]! + 10 ** (db / 10));
  const meanOfBins = (first: number, last: number) => {
    const a = Math.max(0, Math.min(profile.db.length - 1, first));
    const b = Math.max(a, Math.min(profile.db.length - 1, last));
    const power = (prefix[b + 1]! - prefix[a]!) / (b - a + 1);
    return power > 0 ? 10 * Math.log10(power) : -90;
  };
  return {
    meanDb: (from, to) => meanOfBins(Math.floor(from / bin), Math.ceil(to / bin) - 1),
    pointDb: (at) => meanOfBins(Math.floor((at - bin) / bin), Math.floor((at + bin) / bin) - 1),
  };
}

/**
 * Ends ordered by preference: the quietest first (a pause, not mid-word); among those,
 * the one keeping the window loudest (a highlight does not trail off); then closest to 20 s.
 */
function rankEnds(start: number, ends: number[], loudness: Loudness | null): number[] {
  const target = start + CLIP_TARGET_SECONDS;
  if (!loudness) return [...ends].sort((a, b) => Math.abs(a - target) - Math.abs(b - target));
  const quiet = new Map(ends.map((end) => [end, loudness.pointDb(end)]));
  const quietest = Math.min(...quiet.values());
  const bucket = (end: number) => Math.floor((quiet.get(end)! - quietest) / QUIET_TIE_DB);
  const level = (end: number) => Math.round(loudness.meanDb(start, end) / LEVEL_TIE_DB);
  return [...ends].sort(
    (a, b) => bucket(a) - bucket(b) || level(b) - level(a) || Math.abs(a - target) - Math.abs(b - target),
  );
}

function candidatesFrom(starts: number[], copy: boolean, keyframes: number[], duration: number, loudness: Loudness | null): Candidate[] {
  const candidates: Candidate[] = [];
  for (const start of starts) {
    const earliest = start + CLIP_MIN_SECONDS - EPSILON;
    const latest = Math.min(duration, start + CLIP_MAX_SECONDS) + EPSILON;
    let ends = keyframes.filter((k) => k >= earliest && k <= latest);
    if (duration >= earliest && duration <= latest) ends.push(duration);
    if (ends.length === 0) {
      for (let t = start + CLIP_MIN_SECONDS; t <= latest; t += 0.5) ends.push(Math.min(t, duration));
    }
    ends = [...new Set(ends)].filter((end) => end - start >= CLIP_MIN_SECONDS - EPSILON);
    if (ends.length === 0) continue;
    const ranked = rankEnds(start, ends, loudness);
    candidates.push({ start, ends: ranked, copy, score: loudness ? loudness.meanDb(start, ranked[0]!) : 0 });
  }
  return candidates;
}

const overlaps = (a: Window, b: Window) => a.start < b.end - EPSILON && b.start < a.end - EPSILON;

/** The candidate's most preferred window that leaves the chosen ones alone. */
function fit(candidate: Candidate, chosen: Window[]): Window | undefined {
  for (const end of candidate.ends) {
    const w = { start: candidate.start, end, copy: candidate.copy, score: candidate.score };
    if (!chosen.some((c) => overlaps(c, w))) return w;
  }
  return undefined;
}

function pickLoudest(candidates: Candidate[], chosen: Window[], count: number): void {
  const ranked = [...candidates].sort((a, b) => b.score - a.score || a.start - b.start);
  for (const candidate of ranked) {
    if (chosen.length >= count) return;
    const w = fit(candidate, chosen);
    if (w) chosen.push(w);
  }
}

function pickSpread(candidates: Candidate[], chosen: Window[], count: number, duration: number): void {
  for (let i = 0; i < count && chosen.length < count; i++) {
    const anchor = (duration * (i + 0.5)) / count;
    if (chosen.some((c) => c.start <= anchor && anchor <= c.end)) continue;
    let best: Window | undefined;
    for (const candidate of candidates) {
      const w = fit(candidate, chosen);
      if (w && (!best || Math.abs((w.start + w.end) / 2 - anchor) < Math.abs((best.start + best.end) / 2 - anchor))) best = w;
    }
    if (best) chosen.push(best);
  }
}

export function chooseClips(input: {
  durationSeconds: number;
  keyframes: number[];
  loudness: LoudnessProfile | null;
  count: number;
}): ClipWindow[] {
  const duration = input.durationSeconds;
  if (input.count <= 0 || duration < CLIP_MIN_SECONDS - EPSILON) return [];
  const audible = input.loudness && input.loudness.db.some((db) => db > AUDIBLE_DB);
  const loudness = audible ? measure(input.loudness!) : null;
  const keyframes = [...new Set(input.keyframes.map((k) => (k < EPSILON ? 0 : k)))].sort((a, b) => a - b);
  const lastStart = duration - CLIP_MIN_SECONDS + EPSILON;

  const pick = (candidates: Candidate[], chosen: Window[]) =>
    loudness ? pickLoudest(candidates, chosen, input.count) : pickSpread(candidates, chosen, input.count, duration);

  const chosen: Window[] = [];
  pick(candidatesFrom(keyframes.filter((k) => k <= lastStart), true, keyframes, duration, loudness), chosen);
  if (chosen.length < input.count) {
    const gridStarts: number[] = [];
    for (let t = 0; t <= lastStart; t += 1) gridStarts.push(t);
    pick(candidatesFrom(gridStarts, false, keyframes, duration, loudness), chosen);
  }
  return chosen
    .sort((a, b) => a.start - b.start)
    .map((w, i) => ({
      position: i + 1,
      startSeconds: Math.round(w.start * 1e6) / 1e6,
      endSeconds: Math.round(w.end * 1e6) / 1e6,
      copy: w.copy,
    }));
}
