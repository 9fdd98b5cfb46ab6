import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { planForStripePrice, type PlanId } from "./plans";
import { callStripe, type Stripe } from "./stripe-client";
import { findUserIdByStripeCustomer } from "@/lib/db/queries/profiles";
import { getSubscriptionRow, lockUserBilling, saveSubscriptionRow, type SubscriptionRow } from "@/lib/db/queries/subscriptions";
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

/**
 * Brings one user's stored subscription up to date after a Stripe event about it.
 *
 * Stripe delivers events at least once and in no particular order, so the event's own
 * copy of the subscription is not trusted: an event older than the last one applied is
 * skipped, and any other event re-reads the subscription from Stripe and stores that.
 * Both happen under the user's billing lock, so two deliveries processed at the same
 * time apply one after the other and the later read wins. A plan is never rolled back
 * by an event that arrives late.
 */
export async function syncSubscription(
  tx: Db,
  stripe: Stripe,
  params: SubscriptionSyncParams,
): Promise<SubscriptionSyncResult> {
  const userId = await findUserIdByStripeCustomer(tx, params.customerId);
  if (!userId) {
    log.warn("stripe_event_unknown_customer", { customerId: params.customerId, subscriptionId: params.subscriptionId });
    return "unknown_customer";
  }
  await lockUserBilling(tx, userId);
  const current = await getSubscriptionRow(tx, userId);
  if (current && params.eventCreated < current.lastEventAt) return "stale";

  const subscription = await callStripe("subscriptions.retrieve", () =>
    stripe.subscriptions.retrieve(params.subscriptionId),
  );
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
