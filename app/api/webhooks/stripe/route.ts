import { withErrors } from "@/lib/api/with-user";
import { handleStripeEvent } from "@/lib/billing/handle-stripe-event";
import { stripeClient } from "@/lib/billing/stripe-client";
import { verifyStripeEvent } from "@/lib/billing/verify-stripe-event";
import { db } from "@/lib/db/client";

// POST /api/webhooks/stripe — subscription and payment events from Stripe (signed, raw body)
export const POST = withErrors(async (request) => {
  const event = await verifyStripeEvent(request);
  const result = await handleStripeEvent(db(), stripeClient(), event, new Date());
  return Response.json({ received: true, ...result });
});
