import { AsyncLocalStorage } from "node:async_hooks";

// The signal of the job run whose step is executing, for the code that step calls.
// In embedded mode the runner aborts it the moment a cancelOn event (project/deleted)
// matches, so an ffmpeg run or a download in progress stops at once instead of running
// to the end of the step. Outside a run (Inngest Cloud, the Dev Server, scripts) there is
// none: those steps learn of a deletion from the database instead (see the callers).
//
// Kept on globalThis: Next.js may load this module once per bundle, and the runner and
// the code it drives must share one store.

export class RunCancelledError extends Error {
  constructor(readonly reason: string) {
    super(`The run was cancelled (${reason}).`);
    this.name = "RunCancelledError";
  }
}

const globalForRuns = globalThis as unknown as { clipcrafterRunSignal?: AsyncLocalStorage<AbortSignal> };
const store = (globalForRuns.clipcrafterRunSignal ??= new AsyncLocalStorage<AbortSignal>());

/** Runs `work` with `signal` as the current run's cancellation signal. */
export function withRunSignal<T>(signal: AbortSignal, work: () => T): T {
  return store.run(signal, work);
}

/** The cancellation signal of the run this code executes in, if a runner in this process gave one. */
export function currentRunSignal(): AbortSignal | undefined {
  return store.getStore();
}
