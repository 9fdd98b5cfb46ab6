import type { Db } from "@/lib/db/client";
import type { Stripe } from "../stripe-client";
import type { SubscriptionSyncResult } from "../sync-subscription";

export type WebhookContext = { tx: Db; stripe: Stripe; now: Date };

/** What a handler did with an event; reported back to Stripe in the response body. */
export type WebhookOutcome = SubscriptionSyncResult | "ignored";

export type WebhookHandler<E extends Stripe.Event> = (event: E, context: WebhookContext) => Promise<WebhookOutcome>;
