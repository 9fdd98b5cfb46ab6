import { projectStatusChangedData } from "@/lib/jobs/events";
import { db as pool } from "@/lib/db/client";
import { listUnsentStatusChanges } from "@/lib/db/queries/outbox";
import { sendEvent, sendEvents } from "@/lib/jobs/send-event";
import { log } from "@/lib/log";
import { deliverOutboxEvents } from "@/lib/outbox/outbox";

/**
 * Sends the `project/status.changed` events the database wrote to the outbox with a
 * project's committed transition (see the webhooks migration), all in one send. Never
 * throws: the transition stands either way, and an unsent row is resent by the reconciler.
 */
export async function sendStatusChangeEvents(project: { projectId: string; userId: string }): Promise<void> {
  try {
    const rows = await listUnsentStatusChanges(pool(), project);
    const events = rows.map((row) => ({
      name: "project/status.changed" as const,
      id: row.eventId,
      data: projectStatusChangedData.parse(row.payload),
    }));
    await deliverOutboxEvents(events, { sendEvents, send: sendEvent });
  } catch (error) {
    log.warn("status_change_send_failed", { projectId: project.projectId, error });
  }
}
