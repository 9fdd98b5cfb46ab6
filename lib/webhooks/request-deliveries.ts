import { eventIds } from "@/inngest/events";
import { sendEvent } from "@/lib/jobs/send-event";

/** Starts one send-webhook run per delivery; the event id makes a repeat a no-op. */
export async function requestDeliveries(
  deliveries: { deliveryId: string }[],
  ref: { projectId: string; userId: string },
  send: typeof sendEvent = sendEvent,
): Promise<void> {
  for (const { deliveryId } of deliveries) {
    await send({
      name: "webhook/delivery.requested",
      id: eventIds.webhookDelivery(deliveryId),
      data: { deliveryId, projectId: ref.projectId, userId: ref.userId },
    });
  }
}
