import { stripeIdOf, fromUnix, syncSubscription } from "../sync-subscription";
import type { Stripe } from "../stripe-client";
import type { WebhookHandler } from "./types";

/** A new subscription (usually right after Checkout): store it. */
export const handleCustomerSubscriptionCreated: WebhookHandler<Stripe.CustomerSubscriptionCreatedEvent> = async (
  event,
  { tx, stripe, now },
) => {
  const subscription = event.data.object;
  return syncSubscription(tx, stripe, {
    customerId: stripeIdOf(subscription.customer),
    subscriptionId: subscription.id,
    eventCreated: fromUnix(event.created),
    now,
  });
};
