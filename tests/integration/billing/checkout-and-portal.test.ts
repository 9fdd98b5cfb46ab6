import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Stripe from "stripe";
import { POST as checkout } from "@/app/api/billing/checkout/route";
import { POST as portal } from "@/app/api/billing/portal/route";
import { db } from "@/lib/db/client";
import { asUser } from "@/lib/db/as-user";
import { callRoute } from "../../support/routes";
import { createTestUser, type TestUser } from "../../support/users";
import { disableBilling, enableBilling, storedCustomerId, testStripeSettings, withFakeStripe } from "./billing-env";

const fake = withFakeStripe({ APP_URL: "https://clips.example.com" });

const startCheckout = (user: TestUser, body: unknown = { plan: "pro" }) =>
  callRoute(checkout, { method: "POST", path: "/api/billing/checkout", body, headers: user.auth });
const openPortal = (user: TestUser) =>
  callRoute(portal, { method: "POST", path: "/api/billing/portal", headers: user.auth });


describe("POST /api/billing/checkout", () => {
  it("creates a subscription-mode Checkout for the Pro price and returns its URL", async () => {
    const user = await createTestUser("checkout");
    const { status, body } = await startCheckout(user);
    expect(status).toBe(200);
    expect(body.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);

    const [customerCall] = fake().requestsTo("POST", "/v1/customers");
    expect(customerCall?.params).toEqual({ email: user.email, metadata: { userId: user.id } });
    expect(customerCall?.idempotencyKey).toBe(`clipcrafter-customer-${user.id}`);
    expect(customerCall?.authorization).toBe(`Bearer ${testStripeSettings.STRIPE_SECRET_KEY}`);
    const customerId = await storedCustomerId(user.id);
    expect(customerId).toMatch(/^cus_/);

    const [sessionCall] = fake().requestsTo("POST", "/v1/checkout/sessions");
    expect(sessionCall?.stripeVersion).toBe(Stripe.API_VERSION);
    expect(sessionCall?.params).toEqual({
      mode: "subscription",
      customer: customerId,
      client_reference_id: user.id,
      line_items: [{ price: testStripeSettings.STRIPE_PRICE_PRO, quantity: "1" }],
      success_url: "https://clips.example.com/billing?checkout=success",
      cancel_url: "https://clips.example.com/billing?checkout=canceled",
      metadata: { userId: user.id, plan: "pro" },
      subscription_data: { metadata: { userId: user.id, plan: "pro" } },
    });
  });

  it("creates the Stripe customer once per user and reuses it for later checkouts", async () => {
    const user = await createTestUser("checkout-twice");
    await startCheckout(user);
    await startCheckout(user);
    expect(fake().requestsTo("POST", "/v1/customers")).toHaveLength(1);
    const customers = fake().requestsTo("POST", "/v1/checkout/sessions").map((r) => r.params.customer);
    expect(customers).toEqual([await storedCustomerId(user.id), await storedCustomerId(user.id)]);
  });

  it("creates exactly one Stripe customer when checkout and portal requests race", async () => {
    const user = await createTestUser("checkout-race");
    fake().setCustomerCreateDelay(150);
    const results = await Promise.all([startCheckout(user), startCheckout(user), openPortal(user), startCheckout(user)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(fake().requestsTo("POST", "/v1/customers")).toHaveLength(1);
    const customerId = await storedCustomerId(user.id);
    const usedCustomers = new Set([
      ...fake().requestsTo("POST", "/v1/checkout/sessions").map((r) => r.params.customer),
      ...fake().requestsTo("POST", "/v1/billing_portal/sessions").map((r) => r.params.customer),
    ]);
    expect([...usedCustomers]).toEqual([customerId]);
  });

  it("sends a user who already has a subscription to manage it instead (409 already_subscribed)", async () => {
    const user = await createTestUser("already-pro");
    await startCheckout(user);
    const customerId = await storedCustomerId(user.id);
    await db()`
      insert into subscriptions (user_id, stripe_customer_id, stripe_subscription_id, plan, status,
        current_period_start, current_period_end, last_event_at)
      values (${user.id}, ${customerId}, ${"sub_" + user.id.slice(0, 8)}, 'pro', 'active',
        now() - interval '1 day', now() + interval '29 days', now())`;
    fake().reset();

    const { status, body } = await startCheckout(user);
    expect(status).toBe(409);
    expect(body.error.code).toBe("already_subscribed");
    expect(body.error.message).toMatch(/Manage billing/);
    expect(fake().requests).toHaveLength(0);
  });

  it("refuses an unknown plan with 422 before calling Stripe", async () => {
    const user = await createTestUser("checkout-bad-plan");
    const { status, body } = await startCheckout(user, { plan: "enterprise" });
    expect(status).toBe(422);
    expect(body.error.message).toMatch(/pro/);
    expect(fake().requests).toHaveLength(0);
  });

  it("answers 502 with a message to try again when Stripe fails, and stores no customer it did not get", async () => {
    const user = await createTestUser("checkout-stripe-down");
    fake().failNext("POST", "/v1/customers", { status: 500, type: "api_error", message: "Stripe is having a moment." });
    const { status, body } = await startCheckout(user);
    expect(status).toBe(502);
    expect(body.error).toEqual({
      code: "payment_provider_error",
      message: "Our payment provider could not complete the request. Please try again in a minute.",
    });
    expect(await storedCustomerId(user.id)).toBeNull();
  });

  it("needs a signed-in user", async () => {
    const { status } = await callRoute(checkout, { method: "POST", body: { plan: "pro" } });
    expect(status).toBe(401);
  });
});

describe("POST /api/billing/portal", () => {
  it("opens the Customer Portal for the user's Stripe customer, returning to the billing page", async () => {
    const user = await createTestUser("portal");
    await startCheckout(user);
    const customerId = await storedCustomerId(user.id);

    const { status, body } = await openPortal(user);
    expect(status).toBe(200);
    expect(body.url).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\//);
    const [call] = fake().requestsTo("POST", "/v1/billing_portal/sessions");
    expect(call?.params).toEqual({ customer: customerId, return_url: "https://clips.example.com/billing" });
    expect(fake().requestsTo("POST", "/v1/customers")).toHaveLength(1);
  });
});

describe("billing routes without Stripe keys", () => {
  beforeAll(() => disableBilling());
  afterAll(() => enableBilling({ ...testStripeSettings, ...fake().env, APP_URL: "https://clips.example.com" }));

  it("answers 503 billing_not_configured for checkout and portal, naming the missing setting", async () => {
    const user = await createTestUser("no-billing");
    for (const response of [await startCheckout(user), await openPortal(user)]) {
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe("billing_not_configured");
      expect(response.body.error.message).toMatch(/STRIPE_SECRET_KEY/);
    }
    expect(fake().requests).toHaveLength(0);
  });
});

describe("the Stripe customer id", () => {
  it("cannot be changed by the user through their own profile row", async () => {
    const user = await createTestUser("customer-id-guard");
    await expect(
      asUser(user.claims, (tx) => tx`update profiles set stripe_customer_id = 'cus_someone_else' where id = ${user.id}`),
    ).rejects.toThrow(/permission denied/);
    // Nor any other column: people write nothing of their profile (tests/integration/database-privileges.test.ts).
    await expect(
      asUser(user.claims, (tx) => tx`update profiles set email = ${user.email} where id = ${user.id}`),
    ).rejects.toThrow(/permission denied/);
  });
});
