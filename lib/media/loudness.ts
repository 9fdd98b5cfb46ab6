import { FFMPEG_BASE_ARGS, inputArgs, secretsOf, type MediaInput } from "./media-input";
import { runMediaTool } from "./run-media-tool";

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
 * The loudness of the first audio stream over time (mean power per bin, dBFS). Only the
 * audio is decoded, resampled to 8 kHz mono: a minute of audio takes milliseconds.
 */
export async function loudnessProfile(
  input: MediaInput,
  options: { demuxers: readonly string[]; timeoutMs: number; binSeconds: number },
): Promise<LoudnessProfile> {
  const bins = createLoudnessBins(options.binSeconds);
  await runMediaTool({
    tool: "ffmpeg",
    args: [
      ...FFMPEG_BASE_ARGS,
      "-nostats",
      ...inputArgs(input, options.demuxers),
      "-map", "0:a:0", "-vn", "-ac", "1", "-ar", String(SAMPLE_RATE),
      "-f", "s16le", "pipe:1",
    ],
    timeoutMs: options.timeoutMs,
    onStdout: (chunk) => bins.push(chunk),
    redact: secretsOf(input),
  });
  return bins.finish();
}
