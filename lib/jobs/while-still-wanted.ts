import { currentRunSignal, RunCancelledError, withRunSignal } from "./run-cancellation";

/**
 * Runs a step's work with a run signal that also aborts when `stillWanted` answers false,
 * asked every `intervalMs` while the work runs. Inngest cancels a run only between steps
 * (a step in progress is an HTTP request it does not interrupt), so on Inngest Cloud this
 * is what stops an ffmpeg run or a download whose project was deleted; in embedded mode
 * the runner's own signal usually gets there first. A failed check is not an answer: the
 * next one decides.
 */
export async function whileStillWanted<T>(
  stillWanted: () => Promise<boolean>,
  options: { intervalMs: number; reason: string },
  work: () => Promise<T>,
): Promise<T> {
  const lost = new AbortController();
  const runSignal = currentRunSignal();
  const signal = runSignal ? AbortSignal.any([runSignal, lost.signal]) : lost.signal;
  const watch = setInterval(() => {
    void stillWanted().then(
      (wanted) => {
        if (!wanted) lost.abort(new RunCancelledError(options.reason));
      },
      () => {},
    );
  }, options.intervalMs);
  try {
    return await withRunSignal(signal, work);
  } finally {
    clearInterval(watch);
  }
}
