import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { createCheckoutSession } from "@/lib/billing/create-checkout-session";
import { checkoutBody } from "@/lib/billing/schemas";
import { stripeClient } from "@/lib/billing/stripe-client";
import { db } from "@/lib/db/client";

// POST /api/billing/checkout — start a Stripe Checkout for a paid plan
export const POST = withUser(async (request, { user }) => {
  const stripe = stripeClient();
  const { plan } = checkoutBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  const { url } = await createCheckoutSession(db(), stripe, { user, plan });
  return Response.json({ url });
});
