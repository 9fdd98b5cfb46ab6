import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms`, or less if `signal` aborts first; either way it resolves, and the caller looks
 * at `signal.aborted` to tell which. For loops that pause between rounds and must stop at
 * once when what they serve goes away (a client's stream, a cancelled run).
 */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // The timer rejects with an AbortError on abort (and clears itself); that is the early
    // end asked for. Anything else is a real failure.
    if (!signal.aborted) throw error;
  }
}
