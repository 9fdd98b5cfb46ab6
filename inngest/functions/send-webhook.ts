import { inngestClient } from "@/lib/jobs/client";
import { webhookDeliveryRequested } from "@/lib/jobs/events";
import { db } from "@/lib/db/client";
import { attemptDelivery } from "@/lib/webhooks/attempt-delivery";
import { failDelivery } from "@/lib/db/queries/webhook-deliveries";
import { MAX_DELIVERY_ATTEMPTS } from "@/lib/webhooks/retry-schedule";

// One delivery to one endpoint: attempt, and after a failure sleep until the time the
// schedule gives (5 s, 1 min, 5 min, 30 min, 1 h, 2 h, 4 h by default), up to eight
// attempts. Each attempt is a step, so a crash resumes at the attempt it was on; the
// run's own retries cover failures of the database, not of the receiver.
export function sendWebhookFunction() {
  return inngestClient().createFunction(
    {
      id: "send-webhook",
      name: "Send a webhook to one endpoint, retrying with backoff",
      triggers: [webhookDeliveryRequested],
      retries: 3,
      concurrency: [{ key: "event.data.deliveryId", limit: 1 }],
      onFailure: async ({ event, error }) => {
        const { deliveryId, userId } = event.data.event.data;
        await failDelivery(db(), {
          deliveryId,
          userId,
          reason: `Not sent: delivery stopped on an internal error (${error.message.slice(0, 200)}).`,
        });
      },
    },
    async ({ event, step }) => {
      const { deliveryId, userId } = event.data;
      for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
        const outcome = await step.run(`attempt-${attempt}`, () => attemptDelivery(db(), { deliveryId, userId, attempt }));
        if (outcome.done) return outcome;
        await step.sleepUntil(`wait-for-attempt-${attempt + 1}`, outcome.nextAttemptAt);
      }
      return { done: true, result: "gave_up", attempts: MAX_DELIVERY_ATTEMPTS };
    },
  );
}
