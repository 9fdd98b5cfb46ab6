import type { OutboxEvent } from "@/lib/outbox/outbox";
import type { ReconcileDeps, ReconcileSettings } from "@/lib/reconcile/types";

/** Reconcile settings for tests: uploads and unsent events count at once, stalls after a minute. */
export function testReconcileSettings(overrides: Partial<ReconcileSettings> = {}): ReconcileSettings {
  return {
    idleUploadMs: 0,
    outboxResendAfterMs: 0,
    stallMs: 60_000,
    waitingMs: 60_000,
    orphanGraceMs: 3_600_000,
    batchSize: 500,
    ...overrides,
  };
}

/** Reconcile dependencies that keep every event instead of sending it, on the given clock (else the real one). */
export function recordingReconcileDeps(now?: Date): ReconcileDeps & { sent: OutboxEvent[] } {
  const sent: OutboxEvent[] = [];
  return {
    now: () => now ?? new Date(),
    send: async (event) => void sent.push(event as OutboxEvent),
    sendEvents: async (events) => void sent.push(...(events as OutboxEvent[])),
    runHeld: () => false,
    sent,
  };
}
