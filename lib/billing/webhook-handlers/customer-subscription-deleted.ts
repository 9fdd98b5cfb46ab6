import { stripeIdOf, fromUnix, syncSubscription } from "../sync-subscription";
import type { Stripe } from "../stripe-client";
import type { WebhookHandler } from "./types";

/** The subscription ended: store it as canceled; a paid plan still holds until its period end. */
export const handleCustomerSubscriptionDeleted: WebhookHandler<Stripe.CustomerSubscriptionDeletedEvent> = async (
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
