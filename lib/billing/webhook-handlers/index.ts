import type { Stripe } from "../stripe-client";
import { handleCheckoutSessionCompleted } from "./checkout-session-completed";
import { handleCustomerSubscriptionChanged } from "./customer-subscription-changed";
import { handleInvoicePaymentFailed } from "./invoice-payment-failed";
import type { WebhookHandler } from "./types";

type HandlerMap = { [T in Stripe.Event["type"]]?: WebhookHandler<Extract<Stripe.Event, { type: T }>> };

/** The Stripe events this app acts on; enable exactly these on the webhook endpoint. */
export const webhookHandlers = {
  "checkout.session.completed": handleCheckoutSessionCompleted,
  "customer.subscription.created": handleCustomerSubscriptionChanged,
  "customer.subscription.updated": handleCustomerSubscriptionChanged,
  "customer.subscription.deleted": handleCustomerSubscriptionChanged,
  "invoice.payment_failed": handleInvoicePaymentFailed,
} satisfies HandlerMap;
