import { setEnvForProcess } from "@/lib/env";

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
