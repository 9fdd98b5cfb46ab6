import { setTimeout as delay } from "node:timers/promises";
import Stripe from "stripe";
import type { Sql } from "@/lib/db/client";
import { getStripeCustomerIdCreatingProfile, storeStripeCustomerId } from "@/lib/db/queries/profiles";
import { log } from "@/lib/log";
import { oneAtATime } from "./one-at-a-time";
import { callStripe } from "./stripe-client";

type CustomerOwner = { id: string; email?: string };

/**
 * The user's Stripe customer id, creating the customer the first time. Exactly one customer
 * per user, and no database transaction or lock is held while Stripe is called:
 * - requests on this server for one user take turns, so of a double click or two tabs the
 *   first creates the customer and the others find its stored id;
 * - requests on different servers may both ask Stripe, with the same idempotency key, so
 *   Stripe creates one customer and answers both with it (the later one once the first is
 *   done, see createCustomer). The id is stored only where none is yet, and a request that
 *   finds another's id stored answers with that one.
 * The key also covers a create whose id was never stored (the store failed, the server
 * stopped): the next attempt gets that same customer back from Stripe.
 */
export async function getOrCreateStripeCustomer(sql: Sql, stripe: Stripe, user: CustomerOwner): Promise<string> {
  return oneAtATime(`stripe-customer:${user.id}`, async () => {
    const stored = await getStripeCustomerIdCreatingProfile(sql, user);
    if (stored) return stored;

    const customer = await callStripe("customers.create", () => createCustomer(stripe, user));
    const kept = await storeStripeCustomerId(sql, { userId: user.id, stripeCustomerId: customer.id });
    if (kept && kept !== customer.id) {
      // Stripe forgets idempotency keys after a day; past that, two creates can differ.
      log.warn("stripe_customer_already_stored", { userId: user.id, customerId: customer.id, storedCustomerId: kept });
    }
    return kept ?? customer.id;
  });
}

// Pauses before asking again while Stripe answers 409: another request with this key is
// still in progress. The SDK retries a 409 itself (maxNetworkRetries, about 1.5 s in all);
// these cover a create that takes longer, and a client with its retries turned off.
const conflictPausesMs = [500, 1000, 2000];

async function createCustomer(stripe: Stripe, user: CustomerOwner): Promise<Stripe.Customer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await stripe.customers.create(
        { ...(user.email ? { email: user.email } : {}), metadata: { userId: user.id } },
        { idempotencyKey: `clipcrafter-customer-${user.id}` },
      );
    } catch (error) {
      const pause = conflictPausesMs[attempt];
      if (pause === undefined || !isConflict(error)) throw error;
      await delay(pause);
    }
  }
}

// stripe-node reports Stripe's 409 as a StripeAPIError with statusCode 409 (its
// StripeIdempotencyError is the 400 for a key reused with other parameters, not retried).
// A repeat with the same key is safe: Stripe saves no result for a refused request.
function isConflict(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && error.statusCode === 409;
}
