import { afterAll, beforeAll, beforeEach } from "vitest";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { startFakeStripeApi, type FakeStripeApi } from "../../support/fake-stripe-api";

export const testStripeSettings = {
  STRIPE_SECRET_KEY: "sk_test_clipcrafter_fake",
  STRIPE_WEBHOOK_SECRET: "whsec_clipcrafter_test_secret",
  STRIPE_PRICE_PRO: "price_pro_test",
};

const billingKeys = [
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_PRICE_PRO",
  "STRIPE_API_HOST",
  "STRIPE_API_PORT",
  "STRIPE_API_PROTOCOL",
] as const;

/** Turns billing on with these settings for the test file (the worker's settings are shared). */
export function enableBilling(values: Record<string, string>): void {
  disableBilling();
  setEnvForProcess(values);
}

/** Billing off: no Stripe setting at all, as on a fresh clone. */
export function disableBilling(): void {
  setEnvForProcess(Object.fromEntries(billingKeys.map((key) => [key, undefined])));
}

/**
 * For the test file: the fake Stripe API started once, billing on against it (with
 * `extra` settings), its records cleared before each test, and all of it ended after.
 * Returns the fake, once started.
 */
export function withFakeStripe(extra: Record<string, string> = {}): () => FakeStripeApi {
  let fake: FakeStripeApi | undefined;
  beforeAll(async () => {
    fake = await startFakeStripeApi();
    enableBilling({ ...testStripeSettings, ...fake.env, ...extra });
  });
  afterAll(async () => {
    disableBilling();
    await fake?.stop();
  });
  beforeEach(() => fake?.reset());
  return () => {
    if (!fake) throw new Error("the fake Stripe API is used before its beforeAll started it");
    return fake;
  };
}

/** The Stripe customer id stored on a user's profile, if any. */
export async function storedCustomerId(userId: string): Promise<string | null> {
  const [row] = await db()<{ id: string | null }[]>`select stripe_customer_id as id from profiles where id = ${userId}`;
  return row?.id ?? null;
}
