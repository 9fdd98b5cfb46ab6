import type { Stripe } from "../stripe-client";
import { handleCheckoutSessionCompleted } from "./checkout-session-completed";
import { handleCustomerSubscriptionCreated } from "./customer-subscription-created";
import { handleCustomerSubscriptionDeleted } from "./customer-subscription-deleted";
import { handleCustomerSubscriptionUpdated } from "./customer-subscription-updated";
import { handleInvoicePaymentFailed } from "./invoice-payment-failed";
import type { WebhookHandler } from "./types";

type HandlerMap = { [T in Stripe.Event["type"]]?: WebhookHandler<Extract<Stripe.Event, { type: T }>> };

/** The Stripe events this app acts on; enable exactly these on the webhook endpoint. */
export const webhookHandlers = {
  "checkout.session.completed": handleCheckoutSessionCompleted,
  "customer.subscription.created": handleCustomerSubscriptionCreated,
  "customer.subscription.updated": handleCustomerSubscriptionUpdated,
  "customer.subscription.deleted": handleCustomerSubscriptionDeleted,
  "invoice.payment_failed": handleInvoicePaymentFailed,
} satisfies HandlerMap;
