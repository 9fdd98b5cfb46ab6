import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { listUnsentOutbox } from "@/lib/db/queries/outbox";
import { deliverOutboxEvents, type OutboxEvent } from "@/lib/outbox/outbox";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { abandonedBefore, type ReconcileDeps, type ReconcileSettings } from "./types";

/**
 * (c) Outbox rows still unsent after a minute (the send failed, or the process died right
 * after the commit; right after an embedded-mode restart, every row the previous process
 * left) are sent again with the same event id, so Inngest runs them once; in one request,
 * not one per row.
 */
export async function resendUnsentEvents(
  db: Db,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ resent: number; failed: number }> {
  const olderThan = abandonedBefore(settings, deps.now(), settings.outboxResendAfterMs);
  const rows = await listUnsentOutbox(db, { olderThan, limit: settings.batchSize });
  const events = rows.map((row) => ({ name: row.eventName, id: row.eventId, data: row.payload }) as OutboxEvent);
  const sent = await deliverOutboxEvents(events, deps);
  let resent = 0;
  let failed = 0;
  for (const row of rows) {
    if (!sent.has(row.eventId)) {
      failed++;
      continue;
    }
    resent++;
    const projectId = (row.payload as { projectId?: string }).projectId;
    const userId = (row.payload as { userId?: string }).userId;
    // Only the jobs a person waits for belong on the project's timeline; a late status
    // notification for their webhooks does not.
    if (projectId && userId && (row.eventName === "video/process" || row.eventName === "video/import")) {
      await addTimelineEvent(db, {
        projectId,
        userId,
        kind: "reconciled",
        message: "A job request that had not reached the job runner was sent again.",
        data: { action: "resend_event", eventId: row.eventId, eventName: row.eventName },
      }).catch(() => {}); // the project may have been deleted since
    }
    log.info("reconcile_event_resent", { eventId: row.eventId, eventName: row.eventName });
  }
  return { resent, failed };
}
