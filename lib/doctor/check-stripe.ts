import type { Env } from "@/lib/env";
import { runCheck, type CheckResult } from "./types";

export async function checkStripe(e: Env): Promise<CheckResult> {
  return runCheck("billing: Stripe", async () => {
    if (!e.billingEnabled) {
      return { status: "pass", detail: "off (STRIPE_SECRET_KEY not set); the free plan's limits are enforced" };
    }
    const { stripeClient } = await import("@/lib/billing/stripe-client");
    try {
      await stripeClient().balance.retrieve();
    } catch (error) {
      return { status: "fail", detail: `Stripe rejected the secret key: ${error instanceof Error ? error.message : String(error)}` };
    }
    const price = e.STRIPE_PRICE_PRO ? await stripeClient().prices.retrieve(e.STRIPE_PRICE_PRO).catch(() => null) : null;
    if (!price) return { status: "fail", detail: `STRIPE_PRICE_PRO (${e.STRIPE_PRICE_PRO ?? "unset"}) is not a price in this Stripe account` };
    return { status: "pass", detail: "secret key valid; the Pro price exists" };
  });
}
