// ffmpeg reports progress several times a second; the project row gets at most one write
// per interval (and only when the number moved), one write in flight at a time, and the
// last value is always written by flush().

export type ProgressReporter = { report: (percent: number) => void; flush: () => Promise<void> };

export function createProgressReporter(options: {
  write: (percent: number) => Promise<unknown>;
  minIntervalMs: number;
  now?: () => number;
  onError?: (error: unknown) => void;
  /**
   * The value the row already holds (a stage's start, written on entering it): reports
   * at it are not a move, so they neither write nor use up the interval before the first
   * real progress (ffmpeg's first report is always at 0).
   */
  startsAt?: number;
}): ProgressReporter {
  const now = options.now ?? (() => Date.now());
  let written = options.startsAt ?? -1;
  let latest = written;
  let lastWriteAt = -Infinity;
  let inFlight: Promise<void> | null = null;

  const write = (percent: number) => {
    lastWriteAt = now();
    written = percent;
    inFlight = options
      .write(percent)
      .then(() => undefined, (error: unknown) => options.onError?.(error))
      .finally(() => {
        inFlight = null;
      });
  };

  return {
    report(percent) {
      latest = Math.max(latest, Math.round(percent));
      if (inFlight || latest <= written || now() - lastWriteAt < options.minIntervalMs) return;
      write(latest);
    },
    async flush() {
      if (inFlight) await inFlight;
      if (latest > written) {
        write(latest);
        await inFlight;
      }
    },
  };
}
