import { projectStatusChangedData } from "@/lib/jobs/events";
import { db as pool } from "@/lib/db/client";
import { listUnsentStatusChanges } from "@/lib/db/queries/outbox";
import { log } from "@/lib/log";
import { deliverOutboxEvent } from "@/lib/outbox/outbox";

/**
 * Sends the `project/status.changed` events the database wrote to the outbox with a
 * project's committed transition (see the webhooks migration). Never throws: the
 * transition stands either way, and an unsent row is resent by the reconciler.
 */
export async function sendStatusChangeEvents(projectId: string): Promise<void> {
  try {
    const rows = await listUnsentStatusChanges(pool(), projectId);
    for (const row of rows) {
      await deliverOutboxEvent({ name: "project/status.changed", id: row.eventId, data: projectStatusChangedData.parse(row.payload) });
    }
  } catch (error) {
    log.warn("status_change_send_failed", { projectId, error });
  }
}
