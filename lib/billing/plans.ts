import { env } from "@/lib/env";

const GiB = 1024 ** 3;

export type PlanId = "free" | "pro";

export type Plan = {
  id: PlanId;
  name: string;
  videosPerMonth: number;
  maxUploadBytes: number;
  maxDurationSeconds: number;
  /** Stripe price id; null for the free plan or when billing is not configured. */
  stripePriceId: () => string | null;
};

export const plans: Record<PlanId, Plan> = {
  free: {
    id: "free",
    name: "Free",
    videosPerMonth: 10,
    maxUploadBytes: 2 * GiB,
    maxDurationSeconds: 30 * 60,
    stripePriceId: () => null,
  },
  pro: {
    id: "pro",
    name: "Pro",
    videosPerMonth: 200,
    maxUploadBytes: 20 * GiB,
    maxDurationSeconds: 4 * 60 * 60,
    stripePriceId: () => env().STRIPE_PRICE_PRO ?? null,
  },
};

export function isPlanId(value: string): value is PlanId {
  return value in plans;
}

/** The plan a Stripe price sells, or null for a price this app does not know. */
export function planForStripePrice(priceId: string): Plan | null {
  return Object.values(plans).find((plan) => plan.stripePriceId() === priceId) ?? null;
}
