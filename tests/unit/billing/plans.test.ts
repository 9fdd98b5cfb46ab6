import { beforeAll, describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/lib/env";
import { planForStripePrice, plans } from "@/lib/billing/plans";
import { formatBytes, formatDuration } from "@/lib/format";
import { holdsPaidPlan } from "@/lib/billing/usage";
import { describeSubscription } from "@/lib/billing/sync-subscription";
import type { Stripe } from "@/lib/billing/stripe-client";
import { useUnitEnv } from "../../support/unit-env";

const GiB = 1024 ** 3;

describe("plans", () => {
  beforeAll(() => useUnitEnv({ STRIPE_PRICE_PRO: "price_pro_unit" }));

  it("define free and pro with their monthly videos, upload size and video length", () => {
    expect(plans.free).toMatchObject({ videosPerMonth: 10, maxUploadBytes: 2 * GiB, maxDurationSeconds: 30 * 60 });
    expect(plans.pro).toMatchObject({ videosPerMonth: 200, maxUploadBytes: 20 * GiB, maxDurationSeconds: 4 * 3600 });
  });

  it("take the Pro price id from the settings, and the free plan has none", () => {
    expect(plans.pro.stripePriceId()).toBe("price_pro_unit");
    expect(plans.free.stripePriceId()).toBeNull();
    expect(planForStripePrice("price_pro_unit")?.id).toBe("pro");
    expect(planForStripePrice("price_someone_elses")).toBeNull();
  });

  it("describe their limits the way a person reads them", () => {
    expect(formatBytes(plans.free.maxUploadBytes)).toBe("2 GiB");
    expect(formatDuration(plans.free.maxDurationSeconds)).toBe("30 min");
    expect(formatDuration(plans.pro.maxDurationSeconds)).toBe("4 h");
    expect(formatDuration(90 * 60)).toBe("1 h 30 min");
  });
});

describe("billing settings", () => {
  const minimal = {
    DATABASE_URL: "postgres://u:p@localhost:5432/db",
    AUTH_MODE: "local",
    SUPABASE_JWT_SECRET: "secret",
    R2_ENDPOINT: "http://127.0.0.1:4568",
    R2_ACCESS_KEY_ID: "a",
    R2_SECRET_ACCESS_KEY: "b",
    R2_BUCKET: "bucket",
  };

  it("leave billing off without a secret key", () => {
    expect(parseEnv(minimal).billingEnabled).toBe(false);
  });

  it("name the webhook secret and the Pro price when a secret key is set without them", () => {
    const attempt = () => parseEnv({ ...minimal, STRIPE_SECRET_KEY: "sk_test_1" });
    expect(attempt).toThrowError(EnvError);
    expect(attempt).toThrowError(/STRIPE_WEBHOOK_SECRET/);
    expect(attempt).toThrowError(/STRIPE_PRICE_PRO/);
    const complete = parseEnv({ ...minimal, STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1", STRIPE_PRICE_PRO: "price_1" });
    expect(complete.billingEnabled).toBe(true);
  });
});

describe("a stored subscription", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const base = {
    plan: "pro",
    currentPeriodStart: new Date("2026-11-01T00:00:00Z"),
    currentPeriodEnd: new Date("2026-12-01T00:00:00Z"),
  };

  it("holds Pro until its period ends while active, retrying a payment, unpaid or cancelled", () => {
    for (const status of ["active", "trialing", "past_due", "unpaid", "canceled"]) {
      expect(holdsPaidPlan({ ...base, status }, now)).toBe(true);
      expect(holdsPaidPlan({ ...base, status }, base.currentPeriodEnd)).toBe(false);
    }
  });

  it("never grants Pro when the first payment did not go through or the subscription is paused", () => {
    for (const status of ["incomplete", "incomplete_expired", "paused"]) {
      expect(holdsPaidPlan({ ...base, status }, now)).toBe(false);
    }
  });
});

describe("reading a Stripe subscription", () => {
  beforeAll(() => useUnitEnv({ STRIPE_PRICE_PRO: "price_pro_unit" }));

  const subscription = (priceId: string, extra: Partial<Stripe.Subscription> = {}) =>
    ({
      id: "sub_1",
      status: "active",
      cancel_at_period_end: false,
      cancel_at: null,
      items: {
        data: [{ price: { id: priceId }, current_period_start: 1_790_000_000, current_period_end: 1_792_592_000 }],
      },
      ...extra,
    }) as unknown as Stripe.Subscription;

  it("takes the plan from the item's price and the period from the item", () => {
    expect(describeSubscription(subscription("price_pro_unit"))).toEqual({
      plan: "pro",
      status: "active",
      currentPeriodStart: new Date(1_790_000_000 * 1000),
      currentPeriodEnd: new Date(1_792_592_000 * 1000),
      cancelAtPeriodEnd: false,
    });
  });

  it("grants nothing for a price this app does not sell", () => {
    expect(describeSubscription(subscription("price_unknown")).plan).toBe("free");
  });

  it("treats a scheduled cancellation as ending, whichever way Stripe records it", () => {
    expect(describeSubscription(subscription("price_pro_unit", { cancel_at_period_end: true })).cancelAtPeriodEnd).toBe(true);
    expect(describeSubscription(subscription("price_pro_unit", { cancel_at: 1_792_592_000 })).cancelAtPeriodEnd).toBe(true);
  });
});
