import { keyframesAndDuration } from "@/lib/media/ffprobe";
import { loudnessFromSamples } from "@/lib/media/loudness";
import type { LoudnessProfile } from "@/lib/media/loudness";
import { WEB_MP4_DEMUXERS } from "@/lib/media/media-input";
import { ProcessingError } from "./processing-error";

export const ANALYSIS_TIMEOUT_MS = 10 * 60_000;
const LOUDNESS_BIN_SECONDS = 0.5;

/** What clip selection needs to know about the web MP4: where its keyframes are, and how loud it is when. */
export type ClipAnalysis = { keyframes: number[]; loudness: LoudnessProfile | null };

/**
 * Reads the web MP4 while it is still on local disk (while it uploads), so choosing clips
 * later costs no second download: packet flags for keyframes (no decoding), and the
 * loudness from the audio samples the run that made the web MP4 also wrote. The same read
 * measures its duration: what the file holds, whatever the source's header said.
 */
export async function analyseWebMp4(
  file: string,
  loudnessSamples: string | null,
): Promise<{ durationSeconds: number; analysis: ClipAnalysis }> {
  const [packets, loudness] = await Promise.all([
    keyframesAndDuration({ file }, { demuxers: WEB_MP4_DEMUXERS, timeoutMs: ANALYSIS_TIMEOUT_MS }),
    loudnessSamples ? loudnessFromSamples(loudnessSamples, LOUDNESS_BIN_SECONDS) : Promise.resolve(null),
  ]);
  if (!(packets.durationSeconds && packets.durationSeconds > 0)) {
    throw new ProcessingError("not_a_video", "The web MP4 made from this file has no playable duration; the file looks damaged.");
  }
  return {
    durationSeconds: packets.durationSeconds,
    // Rounded: this travels as step output (JSON), a few numbers per second of video.
    analysis: {
      // Microseconds, as ffprobe prints them: a seek rounded below a keyframe lands on the one before.
      keyframes: packets.keyframes.map((k) => Math.round(k * 1e6) / 1e6),
      loudness: loudness && { binSeconds: loudness.binSeconds, db: loudness.db.map((d) => Math.round(d * 10) / 10) },
    },
  };
}
