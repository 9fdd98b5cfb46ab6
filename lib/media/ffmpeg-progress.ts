// ffmpeg `-progress pipe:1` writes blocks of key=value lines, each ending with
// `progress=continue` (or `progress=end`). `out_time_us` is how far the output has got.

export type ProgressUpdate = { outTimeSeconds: number; done: boolean };

/** Feeds stdout chunks in, calls `onUpdate` once per completed progress block. */
export function createProgressParser(onUpdate: (update: ProgressUpdate) => void): (chunk: Buffer | string) => void {
  let pending = "";
  let outTimeUs = 0;
  return (chunk) => {
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === "out_time_us") {
        const us = Number(value);
        if (Number.isFinite(us) && us >= 0) outTimeUs = us;
      } else if (key === "progress") {
        onUpdate({ outTimeSeconds: outTimeUs / 1e6, done: value === "end" });
      }
    }
  };
}

/** Share of `durationSeconds` done, 0–1. */
export function fractionDone(update: ProgressUpdate, durationSeconds: number): number {
  if (update.done) return 1;
  if (!(durationSeconds > 0)) return 0;
  return Math.min(1, Math.max(0, update.outTimeSeconds / durationSeconds));
}
