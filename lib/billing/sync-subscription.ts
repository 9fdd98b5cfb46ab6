import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { planForStripePrice, type PlanId } from "./plans";
import { callStripe, type Stripe } from "./stripe-client";
import { findUserIdByStripeCustomer } from "@/lib/db/queries/profiles";
import {
  getVersionedSubscriptionRow,
  lockUserBilling,
  saveSubscriptionRow,
  type SubscriptionRow,
} from "@/lib/db/queries/subscriptions";
import { isLiveSubscriptionStatus, isPaidUpStatus } from "./subscription-status";
import { holdsPaidPlan } from "./usage";

export type SubscriptionSyncResult =
  /** The stored state now mirrors the subscription as Stripe has it. */
  | "saved"
  /** The event is older than one already applied; nothing changed. */
  | "stale"
  /** A customer this app did not create; nothing to update. */
  | "unknown_customer"
  /** An ended subscription did not replace another one that still grants a plan. */
  | "kept_current";

export type SubscriptionSyncParams = {
  customerId: string;
  subscriptionId: string;
  /** The Stripe event's `created` time. */
  eventCreated: Date;
  now: Date;
  /** Set by `invoice.payment_failed`: when the payment failed. */
  paymentFailedAt?: Date;
};

/** Makes the prepared change inside the transaction that records the event. */
export type ApplySubscriptionSync = (tx: Db) => Promise<SubscriptionSyncResult | "changed_since_read">;

/**
 * Brings one user's stored subscription up to date after a Stripe event about it. This part
 * reads, with no transaction open; the function it returns writes, inside the transaction
 * that records the event.
 *
 * Stripe delivers events at least once and in no particular order, so the event's own copy
 * of the subscription is not trusted: an event older than the last one applied is skipped
 * (without asking Stripe), and any other event re-reads the subscription from Stripe and
 * stores that. A plan is never rolled back by an event that arrives late.
 *
 * Two deliveries for one user processed at the same time must end with the later read
 * stored. Were both read and write under the user's billing lock, they would follow one
 * another; but Stripe is read before the lock now, so the delivery that read first may
 * write last and put back an older state. Stripe's subscription carries nothing that orders
 * two reads of it (no version, no time of its last change), so the order is kept here: the
 * read notes the version of the stored row before asking Stripe, and the write, under the
 * lock, goes ahead only if the row still has that version. Then every state stored so far
 * was committed before the note was taken and so was read from Stripe before ours: ours is
 * the latest. If the row changed meanwhile, the write answers `changed_since_read` and the
 * caller prepares again, reading Stripe after that change.
 */
export async function prepareSubscriptionSync(
  db: Db,
  stripe: Stripe,
  params: SubscriptionSyncParams,
): Promise<ApplySubscriptionSync> {
  const userId = await findUserIdByStripeCustomer(db, params.customerId);
  if (!userId) {
    return async () => {
      log.warn("stripe_event_unknown_customer", { customerId: params.customerId, subscriptionId: params.subscriptionId });
      return "unknown_customer";
    };
  }
  const seen = await getVersionedSubscriptionRow(db, userId);
  // lastEventAt never goes down, so an event stale now is stale under the lock as well.
  if (seen && params.eventCreated < seen.row.lastEventAt) return async () => "stale";

  const subscription = await callStripe("subscriptions.retrieve", () =>
    stripe.subscriptions.retrieve(params.subscriptionId),
  );
  return (tx) => applySubscription(tx, { userId, seenVersion: seen?.version ?? null, subscription, params });
}

async function applySubscription(
  tx: Db,
  read: { userId: string; seenVersion: string | null; subscription: Stripe.Subscription; params: SubscriptionSyncParams },
): Promise<SubscriptionSyncResult | "changed_since_read"> {
  const { userId, subscription, params } = read;
  await lockUserBilling(tx, userId);
  const stored = await getVersionedSubscriptionRow(tx, userId);
  if ((stored?.version ?? null) !== read.seenVersion) return "changed_since_read";
  const current = stored?.row ?? null;
  const next = describeSubscription(subscription);

  const replacesAnother = Boolean(current?.stripeSubscriptionId && current.stripeSubscriptionId !== subscription.id);
  if (current && replacesAnother && holdsPaidPlan(current, params.now) && !isLiveSubscriptionStatus(next.status)) {
    return "kept_current";
  }

  const previousFailure = current && !replacesAnother ? current.paymentFailedAt : null;
  await saveSubscriptionRow(tx, {
    userId,
    stripeCustomerId: stripeIdOf(subscription.customer),
    stripeSubscriptionId: subscription.id,
    ...next,
    paymentFailedAt: paymentFailedAt(next.status, previousFailure, params),
    lastEventAt: current && current.lastEventAt > params.eventCreated ? current.lastEventAt : params.eventCreated,
  });
  return "saved";
}

type SubscriptionState = Pick<
  SubscriptionRow,
  "plan" | "status" | "currentPeriodStart" | "currentPeriodEnd" | "cancelAtPeriodEnd"
>;

/**
 * The plan comes from the price of the subscription's item, and the billing period from
 * that item too: Stripe keeps `current_period_start/end` on subscription items.
 */
export function describeSubscription(subscription: Stripe.Subscription): SubscriptionState {
  const items = subscription.items.data.map((item) => ({ item, plan: planForStripePrice(item.price.id) }));
  const chosen = items.find((entry) => entry.plan) ?? items[0];
  if (chosen && !chosen.plan) {
    log.warn("stripe_subscription_unknown_price", { subscriptionId: subscription.id, priceId: chosen.item.price.id });
  }
  const plan: PlanId = chosen?.plan?.id ?? "free";
  return {
    plan,
    status: subscription.status,
    currentPeriodStart: chosen ? fromUnix(chosen.item.current_period_start) : null,
    currentPeriodEnd: chosen ? fromUnix(chosen.item.current_period_end) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end || subscription.cancel_at !== null,
  };
}

// A failed payment is remembered until a payment goes through: while Stripe retries
// (past_due, unpaid) and after the subscription ends because of it.
function paymentFailedAt(status: string, previousFailure: Date | null, params: SubscriptionSyncParams): Date | null {
  if (isPaidUpStatus(status)) return null;
  if (previousFailure) return previousFailure;
  if (params.paymentFailedAt) return params.paymentFailedAt;
  return status === "past_due" || status === "unpaid" ? params.eventCreated : null;
}

/** The id of an expandable Stripe reference (an id, or the object when expanded). */
export function stripeIdOf(reference: string | { id: string }): string {
  return typeof reference === "string" ? reference : reference.id;
}

export function fromUnix(seconds: number): Date {
  return new Date(seconds * 1000);
}
