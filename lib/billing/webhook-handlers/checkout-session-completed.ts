import { stripeIdOf, fromUnix, prepareSubscriptionSync } from "../sync-subscription";
import type { Stripe } from "../stripe-client";
import { ignoreEvent, type WebhookHandler } from "./types";

/** A finished Checkout: store the subscription it started (the upgrade takes effect here). */
export const handleCheckoutSessionCompleted: WebhookHandler<Stripe.CheckoutSessionCompletedEvent> = async (
  event,
  { db, stripe, now },
) => {
  const session = event.data.object;
  if (session.mode !== "subscription" || !session.subscription || !session.customer) return ignoreEvent;
  return prepareSubscriptionSync(db, stripe, {
    customerId: stripeIdOf(session.customer),
    subscriptionId: stripeIdOf(session.subscription),
    eventCreated: fromUnix(event.created),
    now,
  });
};
