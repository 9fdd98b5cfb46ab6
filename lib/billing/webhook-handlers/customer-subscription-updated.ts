import { stripeIdOf, fromUnix, syncSubscription } from "../sync-subscription";
import type { Stripe } from "../stripe-client";
import type { WebhookHandler } from "./types";

/** A renewal, plan change, cancellation request or recovered payment: store the new state. */
export const handleCustomerSubscriptionUpdated: WebhookHandler<Stripe.CustomerSubscriptionUpdatedEvent> = async (
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
