import { describe, expect, it } from "vitest";
import Stripe from "stripe";
import { POST as stripeWebhook } from "@/app/api/webhooks/stripe/route";
import { getUsageSummary } from "@/lib/billing/get-usage-summary";
import { getUserPlan } from "@/lib/billing/usage";
import { db } from "@/lib/db/client";
import { callRoute } from "../../support/routes";
import { createTestUser, type TestUser } from "../../support/users";
import { disableBilling, enableBilling, testStripeSettings, withFakeStripe } from "./billing-env";
import {
  DAY,
  checkoutSessionObject,
  failedInvoiceObject,
  signedDelivery,
  stripeEvent,
  subscriptionObject,
} from "./stripe-objects";

const fake = withFakeStripe();

const nowSeconds = () => Math.floor(Date.now() / 1000);

type Customer = { user: TestUser; customerId: string; subscriptionId: string };

/** A user whose Stripe customer the app created (as checkout does). */
async function customerWithSubscription(label: string): Promise<Customer> {
  const user = await createTestUser(label);
  const suffix = user.id.slice(0, 8);
  const customerId = `cus_${suffix}`;
  await db()`update profiles set stripe_customer_id = ${customerId} where id = ${user.id}`;
  return { user, customerId, subscriptionId: `sub_${suffix}` };
}

function deliver(event: object, options: { timestamp?: number; secret?: string } = {}) {
  const { body, headers } = signedDelivery(event, options);
  return callRoute(stripeWebhook, { method: "POST", path: "/api/webhooks/stripe", body, headers });
}

function subscriptionReads(subscriptionId: string) {
  return fake().requestsTo("GET", `/v1/subscriptions/${subscriptionId}`);
}

async function storedEvent(id: string) {
  const [row] = await db()`select id, type from stripe_events where id = ${id}`;
  return row;
}

function activeProSubscription(c: Customer, periodStart: number, overrides: { status?: string; cancelAtPeriodEnd?: boolean; id?: string } = {}) {
  return subscriptionObject({
    id: overrides.id ?? c.subscriptionId,
    customer: c.customerId,
    status: overrides.status ?? "active",
    periodStart,
    periodEnd: periodStart + 30 * DAY,
    cancelAtPeriodEnd: overrides.cancelAtPeriodEnd,
  });
}

describe("POST /api/webhooks/stripe: signature", () => {
  it("accepts an event signed with the endpoint's secret and records its id", async () => {
    const event = stripeEvent("invoice.paid", { id: "in_signed", object: "invoice" }, nowSeconds());
    const { status, body } = await deliver(event);
    expect(status).toBe(200);
    expect(body).toEqual({ received: true, duplicate: false, outcome: "ignored" });
    expect(await storedEvent(event.id)).toMatchObject({ type: "invoice.paid" });
  });

  it("refuses a body changed after it was signed with 400 and records nothing", async () => {
    const c = await customerWithSubscription("tampered");
    const event = stripeEvent("customer.subscription.updated", activeProSubscription(c, nowSeconds()), nowSeconds());
    const { body, headers } = signedDelivery(event);
    const tampered = body.replace(`"status": "active"`, `"status": "trialing"`);
    expect(tampered).not.toBe(body);

    const response = await callRoute(stripeWebhook, { method: "POST", body: tampered, headers });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("invalid_signature");
    expect(await storedEvent(event.id)).toBeUndefined();
    expect(subscriptionReads(c.subscriptionId)).toHaveLength(0);
  });

  it("refuses a correctly signed delivery older than the SDK's default tolerance (a replay)", async () => {
    const event = stripeEvent("invoice.paid", { id: "in_old", object: "invoice" }, nowSeconds() - 3600);
    const tooOld = nowSeconds() - Stripe.webhooks.DEFAULT_TOLERANCE - 60;
    const { status, body } = await deliver(event, { timestamp: tooOld });
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_signature");
    expect(body.error.message).toMatch(/tolerance/i);
    expect(await storedEvent(event.id)).toBeUndefined();
  });

  it("accepts a delivery signed a little while ago, within the tolerance", async () => {
    const event = stripeEvent("invoice.paid", { id: "in_recent", object: "invoice" }, nowSeconds() - 120);
    const { status } = await deliver(event, { timestamp: nowSeconds() - 120 });
    expect(status).toBe(200);
  });

  it("refuses a delivery signed with another secret", async () => {
    const event = stripeEvent("invoice.paid", { id: "in_other", object: "invoice" }, nowSeconds());
    const { status, body } = await deliver(event, { secret: "whsec_someone_else" });
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_signature");
  });

  it("refuses a delivery without a Stripe-Signature header", async () => {
    const event = stripeEvent("invoice.paid", { id: "in_unsigned", object: "invoice" }, nowSeconds());
    const { status, body } = await callRoute(stripeWebhook, { method: "POST", body: JSON.stringify(event) });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/Stripe-Signature/);
  });

  it("answers 503 billing_not_configured (so Stripe keeps retrying) when no webhook secret is set", async () => {
    disableBilling();
    try {
      const event = stripeEvent("invoice.paid", { id: "in_unconfigured", object: "invoice" }, nowSeconds());
      const { status, body } = await deliver(event);
      expect(status).toBe(503);
      expect(body.error.code).toBe("billing_not_configured");
      expect(body.error.message).toMatch(/STRIPE_WEBHOOK_SECRET/);
    } finally {
      enableBilling({ ...testStripeSettings, ...fake().env });
    }
  });
});

describe("POST /api/webhooks/stripe: subscription lifecycle", () => {
  it("upgrades the user to Pro for the subscription's period when Checkout completes", async () => {
    const c = await customerWithSubscription("checkout-completed");
    const start = nowSeconds() - 60;
    fake().putSubscription(activeProSubscription(c, start));

    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSessionObject({ customer: c.customerId, subscription: c.subscriptionId, userId: c.user.id }),
      nowSeconds(),
    );
    const { status, body } = await deliver(event);
    expect(status).toBe(200);
    expect(body.outcome).toBe("saved");

    const plan = await getUserPlan(db(), c.user.id, new Date());
    expect(plan.plan.id).toBe("pro");
    expect(plan.period).toEqual({ start: new Date(start * 1000), end: new Date((start + 30 * DAY) * 1000) });
    const [read] = subscriptionReads(c.subscriptionId);
    expect(read?.stripeVersion).toBe(Stripe.API_VERSION);
  });

  it("applies a redelivered event only once: the duplicate changes nothing", async () => {
    const c = await customerWithSubscription("duplicate");
    fake().putSubscription(activeProSubscription(c, nowSeconds() - 60));
    const event = stripeEvent("customer.subscription.created", activeProSubscription(c, nowSeconds() - 60), nowSeconds());
    expect((await deliver(event)).body.outcome).toBe("saved");

    // Had the duplicate been applied, it would have read and stored this state.
    fake().putSubscription(activeProSubscription(c, nowSeconds() - 60, { status: "incomplete_expired" }));
    const again = await deliver(event);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(subscriptionReads(c.subscriptionId)).toHaveLength(1);
    expect((await getUserPlan(db(), c.user.id, new Date())).plan.id).toBe("pro");
  });

  it("applies an event once when Stripe delivers it several times at the same moment", async () => {
    const c = await customerWithSubscription("duplicate-race");
    fake().putSubscription(activeProSubscription(c, nowSeconds() - 60));
    const event = stripeEvent("customer.subscription.updated", activeProSubscription(c, nowSeconds() - 60), nowSeconds());
    const results = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(subscriptionReads(c.subscriptionId)).toHaveLength(1);
  });

  it("does not roll the plan back when an older subscription event arrives after a newer one", async () => {
    const c = await customerWithSubscription("out-of-order");
    const created = nowSeconds() - 120;
    fake().putSubscription(activeProSubscription(c, created));
    const older = stripeEvent(
      "customer.subscription.created",
      activeProSubscription(c, created, { status: "incomplete" }),
      created,
    );
    const newer = stripeEvent("customer.subscription.updated", activeProSubscription(c, created), created + 5);

    expect((await deliver(newer)).body.outcome).toBe("saved");
    const late = await deliver(older);
    expect(late.status).toBe(200);
    expect(late.body.outcome).toBe("stale");

    const plan = await getUserPlan(db(), c.user.id, new Date());
    expect(plan.plan.id).toBe("pro");
    // The stale event was recognised by its time alone, without asking Stripe.
    expect(subscriptionReads(c.subscriptionId)).toHaveLength(1);
    const [row] = await db()`select status, last_event_at from subscriptions where user_id = ${c.user.id}`;
    expect(row).toMatchObject({ status: "active", last_event_at: new Date((created + 5) * 1000) });
  });

  it("settles two events from the same second by re-reading the subscription, not trusting the payload", async () => {
    const c = await customerWithSubscription("same-second");
    const second = nowSeconds() - 30;
    fake().putSubscription(activeProSubscription(c, second));
    const activated = stripeEvent("customer.subscription.updated", activeProSubscription(c, second), second);
    const created = stripeEvent(
      "customer.subscription.created",
      activeProSubscription(c, second, { status: "incomplete" }),
      second,
    );
    await deliver(activated);
    expect((await deliver(created)).body.outcome).toBe("saved");
    const [row] = await db()`select status, plan from subscriptions where user_id = ${c.user.id}`;
    expect(row).toEqual({ status: "active", plan: "pro" });
  });

  it("keeps Pro until the paid period ends after the subscription is deleted, then the free plan applies", async () => {
    const c = await customerWithSubscription("deleted");
    const start = nowSeconds() - 10 * DAY;
    const canceled = activeProSubscription(c, start, { status: "canceled" });
    fake().putSubscription(canceled);
    await deliver(stripeEvent("customer.subscription.deleted", canceled, nowSeconds()));

    const periodEnd = new Date((start + 30 * DAY) * 1000);
    expect((await getUserPlan(db(), c.user.id, new Date())).plan.id).toBe("pro");
    const afterwards = await getUserPlan(db(), c.user.id, new Date(periodEnd.getTime() + 1000));
    expect(afterwards.plan.id).toBe("free");
    expect(afterwards.plan.videosPerMonth).toBe(10);
  });

  it("keeps Pro after a failed payment, until the period ends, and says the payment failed", async () => {
    const c = await customerWithSubscription("payment-failed");
    const start = nowSeconds() - DAY;
    fake().putSubscription(activeProSubscription(c, start));
    await deliver(stripeEvent("customer.subscription.created", activeProSubscription(c, start), nowSeconds() - 60));

    fake().putSubscription(activeProSubscription(c, start, { status: "past_due" }));
    const failedAt = nowSeconds() - 30;
    const failed = await deliver(
      stripeEvent("invoice.payment_failed", failedInvoiceObject({ customer: c.customerId, subscription: c.subscriptionId }), failedAt),
    );
    expect(failed.body.outcome).toBe("saved");

    const plan = await getUserPlan(db(), c.user.id, new Date());
    expect(plan).toMatchObject({ plan: { id: "pro" }, paymentFailed: true });
    expect(plan.period.end).toEqual(new Date((start + 30 * DAY) * 1000));
    const summary = await getUsageSummary(db(), c.user.id, new Date());
    expect(summary.paymentFailed).toBe(true);
    expect(summary.subscription).toMatchObject({ status: "past_due", paymentFailedAt: new Date(failedAt * 1000) });
  });

  it("clears the failed-payment notice once a payment goes through, and a late failure does not bring it back", async () => {
    const c = await customerWithSubscription("payment-recovered");
    const start = nowSeconds() - DAY;
    fake().putSubscription(activeProSubscription(c, start, { status: "past_due" }));
    const failure = stripeEvent(
      "invoice.payment_failed",
      failedInvoiceObject({ customer: c.customerId, subscription: c.subscriptionId }),
      nowSeconds() - 60,
    );
    await deliver(failure);
    expect((await getUserPlan(db(), c.user.id, new Date())).paymentFailed).toBe(true);

    fake().putSubscription(activeProSubscription(c, start));
    await deliver(stripeEvent("customer.subscription.updated", activeProSubscription(c, start), nowSeconds() - 10));
    expect((await getUserPlan(db(), c.user.id, new Date())).paymentFailed).toBe(false);

    const earlierFailure = stripeEvent(
      "invoice.payment_failed",
      failedInvoiceObject({ customer: c.customerId, subscription: c.subscriptionId }),
      nowSeconds() - 30,
    );
    expect((await deliver(earlierFailure)).body.outcome).toBe("stale");
    expect((await getUsageSummary(db(), c.user.id, new Date())).paymentFailed).toBe(false);
  });

  it("does not let an ended old subscription replace a newer one that grants Pro", async () => {
    const c = await customerWithSubscription("two-subscriptions");
    const start = nowSeconds() - DAY;
    fake().putSubscription(activeProSubscription(c, start));
    await deliver(stripeEvent("customer.subscription.created", activeProSubscription(c, start), nowSeconds() - 60));

    const oldSubscription = activeProSubscription(c, start - 60 * DAY, { id: `${c.subscriptionId}_old`, status: "canceled" });
    fake().putSubscription(oldSubscription);
    const ended = await deliver(stripeEvent("customer.subscription.deleted", oldSubscription, nowSeconds()));
    expect(ended.body.outcome).toBe("kept_current");
    const [row] = await db()`select stripe_subscription_id, status from subscriptions where user_id = ${c.user.id}`;
    expect(row).toEqual({ stripe_subscription_id: c.subscriptionId, status: "active" });
  });

  it("acknowledges an event about a customer this app did not create and changes nothing", async () => {
    const stranger = subscriptionObject({
      id: "sub_stranger",
      customer: "cus_not_ours",
      status: "active",
      periodStart: nowSeconds(),
      periodEnd: nowSeconds() + 30 * DAY,
    });
    const { status, body } = await deliver(stripeEvent("customer.subscription.created", stranger, nowSeconds()));
    expect(status).toBe(200);
    expect(body.outcome).toBe("unknown_customer");
    expect(subscriptionReads("sub_stranger")).toHaveLength(0);
  });

  it("does not record an event it could not apply, so Stripe's retry applies it", async () => {
    const c = await customerWithSubscription("stripe-down");
    const start = nowSeconds() - 60;
    const event = stripeEvent("customer.subscription.created", activeProSubscription(c, start), nowSeconds());
    fake().failNext("GET", `/v1/subscriptions/${c.subscriptionId}`, {
      status: 500,
      type: "api_error",
      message: "Something went wrong on Stripe's end.",
    });

    const first = await deliver(event);
    expect(first.status).toBe(502);
    expect(first.body.error.code).toBe("payment_provider_error");
    expect(await storedEvent(event.id)).toBeUndefined();

    fake().putSubscription(activeProSubscription(c, start));
    const retry = await deliver(event);
    expect(retry.body).toEqual({ received: true, duplicate: false, outcome: "saved" });
    expect((await getUserPlan(db(), c.user.id, new Date())).plan.id).toBe("pro");
  });
});

describe("POST /api/webhooks/stripe: reading the subscription from Stripe", () => {
  it("holds no transaction and no billing lock while it waits for Stripe", async () => {
    const c = await customerWithSubscription("read-outside-transaction");
    const start = nowSeconds() - 60;
    fake().putSubscription(activeProSubscription(c, start));
    let billingLockFree: boolean | undefined;
    fake().aroundAnswer("GET", `/v1/subscriptions/${c.subscriptionId}`, async (_request, answer) => {
      // The user's billing lock (lockUserBilling), tried from another connection: it is
      // taken only by a transaction still open in the delivery that is calling Stripe.
      billingLockFree = await db().begin(async (tx) => {
        const [row] = await tx<{ free: boolean }[]>`
          select pg_try_advisory_xact_lock(hashtext(${`billing:${c.user.id}`})) as free`;
        return row!.free;
      });
      return answer();
    });

    const event = stripeEvent("customer.subscription.created", activeProSubscription(c, start), nowSeconds());
    expect((await deliver(event)).body.outcome).toBe("saved");
    expect(billingLockFree).toBe(true);
    expect(await storedEvent(event.id)).toMatchObject({ type: "customer.subscription.created" });
  });

  it(
    "ends with Stripe's latest state when an event read earlier applies after one read later",
    async () => {
      const c = await customerWithSubscription("overlapping-reads");
      const start = nowSeconds() - 60;
      fake().putSubscription(activeProSubscription(c, start));
      const created = stripeEvent("customer.subscription.created", activeProSubscription(c, start), start);
      const updated = stripeEvent("customer.subscription.updated", activeProSubscription(c, start), start + 5);

      let reads = 0;
      let createdDelivery: ReturnType<typeof deliver> | undefined;
      fake().aroundAnswer("GET", `/v1/subscriptions/${c.subscriptionId}`, async (_request, answer) => {
        reads += 1;
        if (reads > 1) return answer();
        // The newer event's read sees the subscription active. Before that answer arrives,
        // the payment fails and the older event, delivered meanwhile, reads and stores that.
        const activeAnswer = await answer();
        fake().putSubscription(activeProSubscription(c, start, { status: "past_due" }));
        createdDelivery = deliver(created);
        expect((await createdDelivery).body.outcome).toBe("saved");
        return activeAnswer;
      });

      const late = await deliver(updated);
      expect(late.body.outcome).toBe("saved");
      expect(createdDelivery).toBeDefined();
      const [row] = await db()`select status, last_event_at from subscriptions where user_id = ${c.user.id}`;
      expect(row).toEqual({ status: "past_due", last_event_at: new Date((start + 5) * 1000) });
      // The newer event read again after the older one was stored, and kept that read.
      expect(subscriptionReads(c.subscriptionId)).toHaveLength(3);
    },
    15_000,
  );
});
