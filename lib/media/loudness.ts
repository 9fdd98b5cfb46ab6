import { createReadStream } from "node:fs";
import { outputLocation } from "./media-input";

export type LoudnessProfile = { binSeconds: number; db: number[] };

const SAMPLE_RATE = 8000;
const SILENCE_DB = -90;

/** Adds s16le mono samples to fixed-length bins of mean power, returned as dBFS. */
export function createLoudnessBins(binSeconds: number, sampleRate = SAMPLE_RATE) {
  const perBin = Math.max(1, Math.round(binSeconds * sampleRate));
  const db: number[] = [];
  let squares = 0;
  let count = 0;
  let carry: number | null = null;
  const close = () => {
    const power = squares / count / (32768 * 32768);
    db.push(power > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(power)) : SILENCE_DB);
    squares = 0;
    count = 0;
  };
  const add = (sample: number) => {
    squares += sample * sample;
    if (++count === perBin) close();
  };
  return {
    push(chunk: Buffer) {
      let i = 0;
      if (carry !== null && chunk.length > 0) {
        add(Buffer.from([carry, chunk[0]!]).readInt16LE(0));
        carry = null;
        i = 1;
      }
      for (; i + 1 < chunk.length; i += 2) add(chunk.readInt16LE(i));
      if (i < chunk.length) carry = chunk[i]!;
    },
    finish(): LoudnessProfile {
      if (count > 0) close();
      return { binSeconds, db };
    },
  };
}

/**
 * Output options that make an ffmpeg run also write its input's first audio stream as
 * 8 kHz mono 16-bit samples to `file` — for loudnessFromSamples. Added to the run that
 * reads the video anyway, it costs an audio decode, not another ffmpeg run.
 */
export function loudnessSamplesOutput(file: string, maxBytes: number): string[] {
  return ["-map", "0:a:0", "-vn", "-ac", "1", "-ar", String(SAMPLE_RATE), "-f", "s16le", "-fs", String(maxBytes), outputLocation(file)];
}

/** The loudness over time (mean power per bin, dBFS) of samples written by loudnessSamplesOutput. */
export async function loudnessFromSamples(file: string, binSeconds: number): Promise<LoudnessProfile> {
  const bins = createLoudnessBins(binSeconds);
  for await (const chunk of createReadStream(file)) bins.push(chunk as Buffer);
  return bins.finish();
}
