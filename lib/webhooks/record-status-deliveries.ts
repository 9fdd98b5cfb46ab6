import { eventIds, type ProjectStatusChangedData } from "@/lib/jobs/events";
import type { Db } from "@/lib/db/client";
import { createDeliveries } from "@/lib/db/queries/webhook-deliveries";
import { buildStatusChangePayload } from "./status-change-payload";

/**
 * Turns one status change into a delivery per enabled endpoint of the project's owner.
 * The message id comes from the change itself, so the same change announced twice (a
 * resent outbox row, a duplicate event) finds its deliveries and sends nothing new.
 */
export async function recordStatusDeliveries(
  db: Db,
  event: ProjectStatusChangedData,
): Promise<{ deliveryId: string; endpointId: string }[]> {
  const payload = await buildStatusChangePayload(db, event);
  return createDeliveries(db, {
    userId: event.userId,
    messageId: eventIds.statusChanged(event),
    eventType: payload.type,
    projectId: event.projectId,
    payload,
  });
}
