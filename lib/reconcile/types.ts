import type { embeddedRunHeld, sendEvent, sendEvents } from "@/lib/jobs/send-event";

export type ReconcileDeps = {
  now: () => Date;
  send: typeof sendEvent;
  /** Sends many in one request (the outbox resend). */
  sendEvents: typeof sendEvents;
  /** Whether this process is running (or about to run) that job: embedded mode only. */
  runHeld: typeof embeddedRunHeld;
};

export type ReconcileSettings = {
  /** An upload untouched this long is no longer being driven by its client. */
  idleUploadMs: number;
  /** Unsent outbox rows older than this are resent. */
  outboxResendAfterMs: number;
  /** A `processing` project with no progress for this long has stalled. */
  stallMs: number;
  /** A `queued` project (or a link import) no run has picked up for this long is sent again. */
  waitingMs: number;
  /** Objects and multipart uploads with no row are removed only after this long. */
  orphanGraceMs: number;
  /** At most this many rows per category per run. */
  batchSize: number;
  /**
   * Set on the first pass of a newly started embedded-mode process: the previous process's
   * runs and claims died with it, so whatever was last touched before this moment and is
   * not held by this process is re-driven at once instead of after the bounds above.
   */
  interruptedBefore?: Date;
};

/** The moment before which something waiting for `boundMs` counts as abandoned. */
export function abandonedBefore(settings: ReconcileSettings, now: Date, boundMs: number): Date {
  const byBound = now.getTime() - boundMs;
  const interrupted = settings.interruptedBefore?.getTime() ?? -Infinity;
  return new Date(Math.max(byBound, interrupted));
}
