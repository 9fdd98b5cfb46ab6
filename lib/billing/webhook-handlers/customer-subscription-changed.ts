import { stripeIdOf, fromUnix, prepareSubscriptionSync } from "../sync-subscription";
import type { Stripe } from "../stripe-client";
import type { WebhookHandler } from "./types";

type SubscriptionEvent =
  | Stripe.CustomerSubscriptionCreatedEvent
  | Stripe.CustomerSubscriptionUpdatedEvent
  | Stripe.CustomerSubscriptionDeletedEvent;

/**
 * A subscription was created (usually right after Checkout), renewed, changed, recovered
 * or ended. Whatever the event says, the subscription is read again from Stripe and
 * stored as it is now: a canceled one keeps a paid plan until its period ends.
 */
export const handleCustomerSubscriptionChanged: WebhookHandler<SubscriptionEvent> = async (event, { db, stripe, now }) => {
  const subscription = event.data.object;
  return prepareSubscriptionSync(db, stripe, {
    customerId: stripeIdOf(subscription.customer),
    subscriptionId: subscription.id,
    eventCreated: fromUnix(event.created),
    now,
  });
};
