import type { Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { getOrCreateStripeCustomer } from "./get-or-create-stripe-customer";
import { callStripe, type Stripe } from "./stripe-client";

/**
 * A Stripe Customer Portal session where the user updates their card, cancels or renews,
 * and downloads invoices. Returns to the billing page. A user who never checked out gets
 * their Stripe customer now, the same one a later checkout uses.
 */
export async function createPortalSession(
  sql: Sql,
  stripe: Stripe,
  params: { user: { id: string; email?: string } },
): Promise<{ url: string }> {
  const customer = await getOrCreateStripeCustomer(sql, stripe, params.user);
  const session = await callStripe("billingPortal.sessions.create", () =>
    stripe.billingPortal.sessions.create({
      customer,
      return_url: `${env().APP_URL.replace(/\/$/, "")}/billing`,
    }),
  );
  return { url: session.url };
}
