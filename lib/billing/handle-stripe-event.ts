import type { Sql } from "@/lib/db/client";
import { isStripeEventRecorded, recordStripeEvent } from "@/lib/db/queries/stripe-events";
import { log } from "@/lib/log";
import { oneAtATime } from "./one-at-a-time";
import type { Stripe } from "./stripe-client";
import { webhookHandlers } from "./webhook-handlers";
import { ignoreEvent, type ApplyChange, type WebhookHandler, type WebhookOutcome } from "./webhook-handlers/types";

export type StripeEventResult = { duplicate: true } | { duplicate: false; outcome: WebhookOutcome };

// How many times an event is prepared while other deliveries keep changing what it read;
// past that the delivery fails and Stripe sends it again later.
const maxPreparations = 3;

/**
 * Applies a verified Stripe event exactly once, with no transaction open while Stripe is
 * called. The handler first prepares the change (reading from Stripe what it needs); the
 * change is then made in the transaction that records the event id: a redelivery finds the
 * id and changes nothing, a delivery racing with the first on another server waits for it
 * at the insert of the id and then changes nothing, and a failure rolls both back so that
 * Stripe's retry applies the event again. Deliveries of one event to this server take
 * turns, so the ones after the first find it applied before reading Stripe at all.
 */
export async function handleStripeEvent(
  sql: Sql,
  stripe: Stripe,
  event: Stripe.Event,
  now: Date,
): Promise<StripeEventResult> {
  return oneAtATime(`stripe-event:${event.id}`, async () => {
    for (let preparation = 1; ; preparation++) {
      if (await isStripeEventRecorded(sql, event.id)) return { duplicate: true as const };

      const handler = (webhookHandlers as Record<string, WebhookHandler<Stripe.Event> | undefined>)[event.type];
      const apply = handler ? await handler(event, { db: sql, stripe, now }) : ignoreEvent;
      const result = await applyRecordingEvent(sql, event, apply);
      if (result !== "changed_since_read") {
        if (!result.duplicate) log.info("stripe_event_handled", { eventId: event.id, type: event.type, outcome: result.outcome });
        return result;
      }
      if (preparation === maxPreparations) {
        throw new Error(`Stripe event ${event.id}: the billing state it read kept changing before it could be applied`);
      }
    }
  });
}

class ChangedSinceRead extends Error {}

async function applyRecordingEvent(
  sql: Sql,
  event: Stripe.Event,
  apply: ApplyChange,
): Promise<StripeEventResult | "changed_since_read"> {
  try {
    return (await sql.begin(async (tx) => {
      if (!(await recordStripeEvent(tx, event))) return { duplicate: true as const };
      const outcome = await apply(tx);
      // Thrown rather than returned, so that the record of the event is rolled back too.
      if (outcome === "changed_since_read") throw new ChangedSinceRead();
      return { duplicate: false as const, outcome };
    })) as StripeEventResult;
  } catch (error) {
    if (error instanceof ChangedSinceRead) return "changed_since_read";
    throw error;
  }
}
