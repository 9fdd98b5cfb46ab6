import type { sendEvent } from "@/lib/jobs/send-event";

export type ReconcileDeps = {
  now: () => Date;
  send: typeof sendEvent;
};

export type ReconcileSettings = {
  /** An upload untouched this long is no longer being driven by its client. */
  idleUploadMs: number;
  /** Unsent outbox rows older than this are resent. */
  outboxResendAfterMs: number;
  /** A `processing` project with no progress for this long has stalled. */
  stallMs: number;
  /** Objects and multipart uploads with no row are removed only after this long. */
  orphanGraceMs: number;
  /** At most this many rows per category per run. */
  batchSize: number;
};
