import { withUser } from "@/lib/api/with-user";
import { createPortalSession } from "@/lib/billing/create-portal-session";
import { stripeClient } from "@/lib/billing/stripe-client";
import { db } from "@/lib/db/client";

// POST /api/billing/portal — open the Stripe Customer Portal (card, cancel, invoices)
export const POST = withUser(async (_request, { user }) => {
  const { url } = await createPortalSession(db(), stripeClient(), { user });
  return Response.json({ url });
});
