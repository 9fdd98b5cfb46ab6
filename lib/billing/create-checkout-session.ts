import { AppError } from "@/lib/api/errors";
import type { Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { getOrCreateStripeCustomer } from "./get-or-create-stripe-customer";
import { plans, type PlanId } from "./plans";
import { callStripe, proPriceIdOrThrow, type Stripe } from "./stripe-client";
import { getSubscriptionRow } from "@/lib/db/queries/subscriptions";
import { isLiveSubscriptionStatus } from "./subscription-status";

/**
 * A Stripe Checkout session (subscription mode) that upgrades the user to a paid plan.
 * The plan itself changes only when Stripe's webhook confirms the subscription.
 */
export async function createCheckoutSession(
  sql: Sql,
  stripe: Stripe,
  params: { user: { id: string; email?: string }; plan: Exclude<PlanId, "free"> },
): Promise<{ url: string }> {
  const price = proPriceIdOrThrow();
  const current = await getSubscriptionRow(sql, params.user.id);
  if (current?.stripeSubscriptionId && isLiveSubscriptionStatus(current.status)) {
    throw new AppError(
      "already_subscribed",
      `You already have a ${plans[current.plan as PlanId]?.name ?? current.plan} subscription. ` +
        "Change or renew it with “Manage billing” on the billing page.",
    );
  }

  const customer = await getOrCreateStripeCustomer(sql, stripe, params.user);
  const appUrl = env().APP_URL.replace(/\/$/, "");
  const metadata = { userId: params.user.id, plan: params.plan };
  const session = await callStripe("checkout.sessions.create", () =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: params.user.id,
      line_items: [{ price, quantity: 1 }],
      success_url: `${appUrl}/billing?checkout=success`,
      cancel_url: `${appUrl}/billing?checkout=canceled`,
      metadata,
      subscription_data: { metadata },
    }),
  );
  if (!session.url) {
    throw new AppError("payment_provider_error", "Stripe did not return a checkout page. Please try again.");
  }
  return { url: session.url };
}
