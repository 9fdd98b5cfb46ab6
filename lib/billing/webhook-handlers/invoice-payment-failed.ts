import { stripeIdOf, fromUnix, prepareSubscriptionSync } from "../sync-subscription";
import type { Stripe } from "../stripe-client";
import { ignoreEvent, type WebhookHandler } from "./types";

/**
 * A subscription payment failed. The plan is not taken away: it holds until the period
 * ends while Stripe retries, and the billing page says the payment failed.
 */
export const handleInvoicePaymentFailed: WebhookHandler<Stripe.InvoicePaymentFailedEvent> = async (
  event,
  { db, stripe, now },
) => {
  const invoice = event.data.object;
  const subscription = invoice.parent?.subscription_details?.subscription;
  if (!subscription || !invoice.customer) return ignoreEvent;
  return prepareSubscriptionSync(db, stripe, {
    customerId: stripeIdOf(invoice.customer),
    subscriptionId: stripeIdOf(subscription),
    eventCreated: fromUnix(event.created),
    now,
    paymentFailedAt: fromUnix(event.created),
  });
};
