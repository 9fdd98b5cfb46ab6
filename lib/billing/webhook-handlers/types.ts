import type { Db, Sql } from "@/lib/db/client";
import type { Stripe } from "../stripe-client";
import type { SubscriptionSyncResult } from "../sync-subscription";

/** What a handler prepares with: the pool, never an open transaction. */
export type WebhookContext = { db: Sql; stripe: Stripe; now: Date };

/** What a handler did with an event; reported back to Stripe in the response body. */
export type WebhookOutcome = SubscriptionSyncResult | "ignored";

/**
 * A prepared change, made inside the transaction that records the event. It answers
 * `changed_since_read` when what it read went out of date before it could write: the
 * transaction is rolled back and the event prepared again.
 */
export type ApplyChange = (tx: Db) => Promise<WebhookOutcome | "changed_since_read">;

/**
 * Prepares what an event changes, with no transaction open: everything it needs from
 * Stripe is read here, never while the change is being made.
 */
export type WebhookHandler<E extends Stripe.Event> = (event: E, context: WebhookContext) => Promise<ApplyChange>;

export const ignoreEvent: ApplyChange = async () => "ignored";
