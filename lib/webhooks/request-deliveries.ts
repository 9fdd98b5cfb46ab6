import { eventIds } from "@/lib/jobs/events";
import { sendEvents } from "@/lib/jobs/send-event";

/** Starts one send-webhook run per delivery, all in one send; the event ids make a repeat a no-op. */
export async function requestDeliveries(
  deliveries: { deliveryId: string }[],
  ref: { projectId: string; userId: string },
  send: typeof sendEvents = sendEvents,
): Promise<void> {
  await send(
    deliveries.map(({ deliveryId }) => ({
      name: "webhook/delivery.requested" as const,
      id: eventIds.webhookDelivery(deliveryId),
      data: { deliveryId, projectId: ref.projectId, userId: ref.userId },
    })),
  );
}
