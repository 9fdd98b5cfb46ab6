import { eventIds, type ProjectStatusChangedData } from "@/lib/jobs/events";
import type { Db } from "@/lib/db/client";
import { createDeliveries, failUnsentDeliveries } from "@/lib/db/queries/webhook-deliveries";
import { log } from "@/lib/log";
import { buildStatusChangePayload } from "./status-change-payload";

/**
 * Turns one status change into a delivery per enabled endpoint of the project's owner.
 * The message id comes from the change itself, so the same change announced twice (a
 * resent outbox row, a duplicate event) finds its deliveries and sends nothing new. A change
 * the project has since left (retried, deleted) is announced to nobody.
 */
export async function recordStatusDeliveries(
  db: Db,
  event: ProjectStatusChangedData,
): Promise<{ deliveryId: string; endpointId: string }[]> {
  const messageId = eventIds.statusChanged(event);
  const payload = await buildStatusChangePayload(db, event);
  if (!payload) {
    log.info("status_change_superseded", { projectId: event.projectId, status: event.status, at: event.at });
    // Deliveries an earlier try of this step recorded before the project moved on are ended, not left pending.
    await failUnsentDeliveries(db, { userId: event.userId, messageId, reason: "Not sent: the project left this status before it was announced." });
    return [];
  }
  return createDeliveries(db, {
    userId: event.userId,
    messageId,
    eventType: payload.type,
    projectId: event.projectId,
    payload,
  });
}
