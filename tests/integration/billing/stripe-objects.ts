import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { testStripeSettings } from "./billing-env";

// Stripe objects as the API version pinned by the SDK shapes them: the billing period
// lives on the subscription items, an invoice names its subscription under `parent`.

export const DAY = 24 * 60 * 60;

export function subscriptionObject(params: {
  id: string;
  customer: string;
  status: string;
  periodStart: number;
  periodEnd: number;
  priceId?: string;
  cancelAtPeriodEnd?: boolean;
}) {
  return {
    id: params.id,
    object: "subscription",
    customer: params.customer,
    status: params.status,
    cancel_at_period_end: params.cancelAtPeriodEnd ?? false,
    cancel_at: params.cancelAtPeriodEnd ? params.periodEnd : null,
    canceled_at: null,
    created: params.periodStart,
    metadata: {},
    livemode: false,
    items: {
      object: "list",
      has_more: false,
      url: `/v1/subscription_items?subscription=${params.id}`,
      data: [
        {
          id: `si_${params.id}`,
          object: "subscription_item",
          subscription: params.id,
          quantity: 1,
          price: { id: params.priceId ?? testStripeSettings.STRIPE_PRICE_PRO, object: "price" },
          current_period_start: params.periodStart,
          current_period_end: params.periodEnd,
        },
      ],
    },
  };
}

export function checkoutSessionObject(params: { customer: string; subscription: string; userId: string }) {
  return {
    id: `cs_test_${randomUUID().slice(0, 8)}`,
    object: "checkout.session",
    mode: "subscription",
    status: "complete",
    payment_status: "paid",
    customer: params.customer,
    subscription: params.subscription,
    client_reference_id: params.userId,
    metadata: { userId: params.userId, plan: "pro" },
  };
}

export function failedInvoiceObject(params: { customer: string; subscription: string }) {
  return {
    id: `in_${randomUUID().slice(0, 8)}`,
    object: "invoice",
    customer: params.customer,
    status: "open",
    billing_reason: "subscription_cycle",
    attempt_count: 1,
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: { subscription: params.subscription, metadata: {} },
    },
  };
}

export function stripeEvent(type: string, object: object, created: number) {
  return {
    id: `evt_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

/** A delivery as Stripe makes it: the JSON body and its Stripe-Signature header. */
export function signedDelivery(
  event: object,
  options: { secret?: string; timestamp?: number } = {},
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.secret ?? testStripeSettings.STRIPE_WEBHOOK_SECRET,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return { body, headers: { "stripe-signature": signature, "content-type": "application/json" } };
}
