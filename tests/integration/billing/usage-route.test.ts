import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { GET as usage } from "@/app/api/usage/route";
import { plans } from "@/lib/billing/plans";
import { db } from "@/lib/db/client";
import { callRoute } from "../../support/routes";
import { createTestUser, type TestUser } from "../../support/users";
import { disableBilling, enableBilling, testStripeSettings } from "./billing-env";

const getUsage = (user: TestUser) => callRoute(usage, { method: "GET", path: "/api/usage", headers: user.auth });

async function subscribe(user: TestUser, values: { status: string; start: Date; end: Date; cancelAtPeriodEnd?: boolean; paymentFailedAt?: Date }) {
  await db()`
    insert into subscriptions (user_id, stripe_customer_id, stripe_subscription_id, plan, status,
      current_period_start, current_period_end, cancel_at_period_end, payment_failed_at, last_event_at)
    values (${user.id}, ${"cus_" + user.id.slice(0, 8)}, ${"sub_" + user.id.slice(0, 8)}, 'pro', ${values.status},
      ${values.start}, ${values.end}, ${values.cancelAtPeriodEnd ?? false}, ${values.paymentFailedAt ?? null}, now())`;
}

describe("GET /api/usage", () => {
  afterAll(() => disableBilling());

  it("reports the free plan for the calendar month with its limits, billing off by default", async () => {
    const user = await createTestUser("usage-free");
    const { status, body } = await getUsage(user);
    expect(status).toBe(200);
    const now = new Date();
    expect(body).toEqual({
      plan: "free",
      planName: "Free",
      period: {
        start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
        end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
      },
      videos: { used: 0, inProgress: 0, limit: 10, remaining: 10 },
      maxUploadBytes: 2 * 1024 ** 3,
      maxDurationSeconds: 30 * 60,
      subscription: null,
      paymentFailed: false,
      billingEnabled: false,
    });
  });

  it("counts processed videos as used and started ones as in progress", async () => {
    const user = await createTestUser("usage-counts");
    for (let i = 0; i < 3; i++) {
      await db()`insert into usage_events (user_id, project_id) values (${user.id}, ${randomUUID()})`;
    }
    await db()`insert into projects (user_id, title, source_type, status) values (${user.id}, 'a.mp4', 'upload', 'processing')`;
    await db()`insert into projects (user_id, title, source_type, status) values (${user.id}, 'b.mp4', 'upload', 'error')`;

    const { body } = await getUsage(user);
    expect(body.videos).toEqual({ used: 3, inProgress: 1, limit: 10, remaining: 6 });
  });

  it("reports Pro for the subscription's period, and that it ends when cancelled at period end", async () => {
    const user = await createTestUser("usage-pro");
    const start = new Date(Date.now() - 3 * 24 * 3600_000);
    const end = new Date(start.getTime() + 30 * 24 * 3600_000);
    await subscribe(user, { status: "active", start, end, cancelAtPeriodEnd: true });

    const { body } = await getUsage(user);
    expect(body).toMatchObject({
      plan: "pro",
      planName: "Pro",
      period: { start: start.toISOString(), end: end.toISOString() },
      videos: { limit: plans.pro.videosPerMonth },
      maxUploadBytes: plans.pro.maxUploadBytes,
      maxDurationSeconds: plans.pro.maxDurationSeconds,
      subscription: { status: "active", cancelAtPeriodEnd: true, currentPeriodEnd: end.toISOString(), paymentFailedAt: null },
      paymentFailed: false,
    });
  });

  it("says the payment failed while Pro still holds", async () => {
    const user = await createTestUser("usage-past-due");
    const start = new Date(Date.now() - 24 * 3600_000);
    const failedAt = new Date(Date.now() - 3600_000);
    await subscribe(user, { status: "past_due", start, end: new Date(start.getTime() + 30 * 24 * 3600_000), paymentFailedAt: failedAt });
    const { body } = await getUsage(user);
    expect(body).toMatchObject({ plan: "pro", paymentFailed: true, subscription: { paymentFailedAt: failedAt.toISOString() } });
  });

  it("stops mentioning a failed payment once Pro has ended and the subscription is closed", async () => {
    const user = await createTestUser("usage-ended-unpaid");
    const start = new Date(Date.now() - 40 * 24 * 3600_000);
    await subscribe(user, {
      status: "canceled",
      start,
      end: new Date(start.getTime() + 30 * 24 * 3600_000),
      paymentFailedAt: new Date(start.getTime() + 30 * 24 * 3600_000),
    });
    const { body } = await getUsage(user);
    expect(body).toMatchObject({ plan: "free", paymentFailed: false, subscription: { status: "canceled", paymentFailedAt: null } });
  });

  it("says whether billing is set up on this server", async () => {
    enableBilling(testStripeSettings);
    const user = await createTestUser("usage-billing-on");
    expect((await getUsage(user)).body.billingEnabled).toBe(true);
  });

  it("needs a signed-in user", async () => {
    expect((await callRoute(usage, { method: "GET" })).status).toBe(401);
  });
});
