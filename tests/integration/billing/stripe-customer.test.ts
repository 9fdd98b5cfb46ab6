import { describe, expect, it, vi } from "vitest";
import Stripe from "stripe";
import { getOrCreateStripeCustomer } from "@/lib/billing/get-or-create-stripe-customer";
import { stripeClient } from "@/lib/billing/stripe-client";
import { db } from "@/lib/db/client";
import { createTestUser } from "../../support/users";
import { storedCustomerId, testStripeSettings, withFakeStripe } from "./billing-env";

const fake = withFakeStripe();


describe("getOrCreateStripeCustomer", () => {
  it("leaves the profile row unlocked while Stripe creates the customer", async () => {
    const user = await createTestUser("customer-unlocked");
    let lockFromElsewhere: unknown = "not tried";
    fake().aroundAnswer("POST", "/v1/customers", async (_request, answer) => {
      // Another connection takes the row's lock without waiting: it fails (55P03) if the
      // request that is calling Stripe holds it in an open transaction.
      lockFromElsewhere = await db()
        .begin((tx) => tx`select id from profiles where id = ${user.id} for update nowait`)
        .then(
          () => "taken",
          (error: unknown) => error,
        );
      return answer();
    });

    const customerId = await getOrCreateStripeCustomer(db(), stripeClient(), user);
    expect(lockFromElsewhere).toBe("taken");
    expect(customerId).toMatch(/^cus_/);
    expect(await storedCustomerId(user.id)).toBe(customerId);
  });

  it("creates one customer when two servers ask for the same user's at once, waiting out Stripe's 409", async () => {
    const user = await createTestUser("customer-two-servers");
    // A second copy of the module, as another server process has: requests on one server
    // wait for each other, so only separate servers send Stripe two creates at once.
    vi.resetModules();
    const otherServer = await import("@/lib/billing/get-or-create-stripe-customer");
    expect(otherServer.getOrCreateStripeCustomer).not.toBe(getOrCreateStripeCustomer);
    // Without the SDK's own retries, the later create's 409 (key in use) reaches the app.
    const stripeWithoutRetries = new Stripe(testStripeSettings.STRIPE_SECRET_KEY, {
      host: fake().env.STRIPE_API_HOST,
      port: fake().env.STRIPE_API_PORT,
      protocol: fake().env.STRIPE_API_PROTOCOL,
      maxNetworkRetries: 0,
    });
    fake().setCustomerCreateDelay(500);

    const ids = await Promise.all([
      getOrCreateStripeCustomer(db(), stripeWithoutRetries, user),
      otherServer.getOrCreateStripeCustomer(db(), stripeWithoutRetries, user),
    ]);

    expect(fake().requestsTo("POST", "/v1/customers").length).toBeGreaterThanOrEqual(3);
    expect(fake().createdCustomers()).toHaveLength(1);
    const created = fake().createdCustomers()[0]!.id;
    expect(ids).toEqual([created, created]);
    expect(await storedCustomerId(user.id)).toBe(created);
  });

  it(
    "answers with the customer another server stored while this one was creating its own",
    async () => {
      const user = await createTestUser("customer-stored-meanwhile");
      fake().aroundAnswer("POST", "/v1/customers", async (_request, answer) => {
        await db()`update profiles set stripe_customer_id = 'cus_stored_first' where id = ${user.id}`;
        return answer();
      });

      const customerId = await getOrCreateStripeCustomer(db(), stripeClient(), user);
      expect(customerId).toBe("cus_stored_first");
      expect(await storedCustomerId(user.id)).toBe("cus_stored_first");
    },
    // Were the profile row locked while Stripe is called, the update above would wait for it.
    15_000,
  );
});
