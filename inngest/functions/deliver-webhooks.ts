import { inngestClient } from "@/lib/jobs/client";
import { eventIds, projectStatusChanged } from "@/lib/jobs/events";
import { db } from "@/lib/db/client";
import { failUnsentDeliveries } from "@/lib/db/queries/webhook-deliveries";
import { recordStatusDeliveries } from "@/lib/webhooks/record-status-deliveries";
import { requestDeliveries } from "@/lib/webhooks/request-deliveries";

// A project reached `ready` or `error`: one delivery per enabled endpoint of its owner,
// each then sent (and retried for hours) by its own send-webhook run, so a slow or dead
// endpoint never holds up the others.
export function deliverWebhooksFunction() {
  return inngestClient().createFunction(
    {
      id: "deliver-webhooks",
      name: "Announce a project's ready or error status to its owner's webhook endpoints",
      triggers: [projectStatusChanged],
      retries: 5,
      onFailure: async ({ event }) => {
        const { userId } = event.data.event.data;
        await failUnsentDeliveries(db(), {
          userId,
          messageId: eventIds.statusChanged(event.data.event.data),
          reason: "Not sent: the delivery could not be queued. Later status changes are delivered as usual.",
        });
      },
    },
    async ({ event, step }) => {
      const deliveries = await step.run("record-deliveries", () => recordStatusDeliveries(db(), event.data));
      if (deliveries.length > 0) {
        await step.run("request-deliveries", () => requestDeliveries(deliveries, event.data));
      }
      return { deliveries: deliveries.length };
    },
  );
}
