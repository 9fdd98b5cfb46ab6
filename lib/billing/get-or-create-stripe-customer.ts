import type { Sql } from "@/lib/db/client";
import { lockStripeCustomerId, setStripeCustomerId } from "@/lib/db/queries/profiles";
import { callStripe, type Stripe } from "./stripe-client";

/**
 * The user's Stripe customer id, creating the customer the first time. Exactly one
 * customer per user: the profile row stays locked while Stripe creates it, so a second
 * request (a double click, two tabs) waits and then finds the stored id. The idempotency
 * key covers the remaining gap — Stripe created the customer but the commit failed — by
 * returning that same customer when the next attempt asks again.
 */
export async function getOrCreateStripeCustomer(
  sql: Sql,
  stripe: Stripe,
  user: { id: string; email?: string },
): Promise<string> {
  return sql.begin(async (tx) => {
    const stored = await lockStripeCustomerId(tx, user);
    if (stored) return stored;

    const customer = await callStripe("customers.create", () =>
      stripe.customers.create(
        { ...(user.email ? { email: user.email } : {}), metadata: { userId: user.id } },
        { idempotencyKey: `clipcrafter-customer-${user.id}` },
      ),
    );
    await setStripeCustomerId(tx, { userId: user.id, stripeCustomerId: customer.id });
    return customer.id;
  }) as Promise<string>;
}
