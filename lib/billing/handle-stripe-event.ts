import type { Sql } from "@/lib/db/client";
import { recordStripeEvent } from "@/lib/db/queries/stripe-events";
import { log } from "@/lib/log";
import type { Stripe } from "./stripe-client";
import { webhookHandlers } from "./webhook-handlers";
import type { WebhookContext, WebhookHandler, WebhookOutcome } from "./webhook-handlers/types";

export type StripeEventResult = { duplicate: true } | { duplicate: false; outcome: WebhookOutcome };

/**
 * Applies a verified Stripe event exactly once. The event id is recorded in the same
 * transaction as the change it causes: a redelivery finds it and changes nothing, a
 * delivery racing with the first waits for it, and a failure rolls both back so that
 * Stripe's retry applies the event again.
 */
export async function handleStripeEvent(
  sql: Sql,
  stripe: Stripe,
  event: Stripe.Event,
  now: Date,
): Promise<StripeEventResult> {
  return sql.begin(async (tx) => {
    if (!(await recordStripeEvent(tx, event))) return { duplicate: true as const };

    const handler = (webhookHandlers as Record<string, WebhookHandler<Stripe.Event> | undefined>)[event.type];
    const context: WebhookContext = { tx, stripe, now };
    const outcome: WebhookOutcome = handler ? await handler(event, context) : "ignored";
    log.info("stripe_event_handled", { eventId: event.id, type: event.type, outcome });
    return { duplicate: false as const, outcome };
  }) as Promise<StripeEventResult>;
}
