import Stripe from "stripe";
import { AppError } from "@/lib/api/errors";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

export type { Stripe };

export function billingNotConfigured(missing: string): AppError {
  return new AppError(
    "billing_not_configured",
    `Billing is not set up on this server (${missing} is not set). The free plan's limits still apply.`,
  );
}

let cached: { config: string; client: Stripe } | undefined;

/**
 * The Stripe client for the configured account. STRIPE_API_HOST/PORT/PROTOCOL point it at
 * another server speaking the Stripe API (tests use a local fake); production leaves them
 * unset. Throws `billing_not_configured` (503) without a secret key.
 */
export function stripeClient(): Stripe {
  const { STRIPE_SECRET_KEY, STRIPE_API_HOST, STRIPE_API_PORT, STRIPE_API_PROTOCOL } = env();
  if (!STRIPE_SECRET_KEY) throw billingNotConfigured("STRIPE_SECRET_KEY");
  const config = JSON.stringify([STRIPE_SECRET_KEY, STRIPE_API_HOST, STRIPE_API_PORT, STRIPE_API_PROTOCOL]);
  if (cached?.config !== config) {
    cached = {
      config,
      client: new Stripe(STRIPE_SECRET_KEY, {
        appInfo: { name: "ClipCrafter" },
        maxNetworkRetries: 2,
        // A webhook re-reads the subscription before it answers Stripe; a stalled call
        // should fail (and the delivery be retried by Stripe) rather than hang.
        timeout: 20_000,
        ...(STRIPE_API_HOST ? { host: STRIPE_API_HOST } : {}),
        ...(STRIPE_API_PORT ? { port: STRIPE_API_PORT } : {}),
        ...(STRIPE_API_PROTOCOL ? { protocol: STRIPE_API_PROTOCOL } : {}),
      }),
    };
  }
  return cached.client;
}

/** The Pro plan's price id; `billing_not_configured` without one. */
export function proPriceIdOrThrow(): string {
  const price = env().STRIPE_PRICE_PRO;
  if (!price) throw billingNotConfigured("STRIPE_PRICE_PRO");
  return price;
}

/**
 * Runs a Stripe call and turns Stripe's own failures (unreachable, rejected request) into
 * a 502 a person can act on; the details go to the log, not to the client.
 */
export async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      log.error("stripe_call_failed", {
        operation,
        type: error.type,
        code: error.code,
        statusCode: error.statusCode,
        requestId: error.requestId,
        message: error.message,
      });
      throw new AppError(
        "payment_provider_error",
        "Our payment provider could not complete the request. Please try again in a minute.",
      );
    }
    throw error;
  }
}
