import { beforeAll, describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { BillingOverview, type CheckoutResult } from "@/app/billing/billing-overview";
import type { UsageSummary } from "@/lib/billing/get-usage-summary";
import { plans } from "@/lib/billing/plans";
import { useUnitEnv } from "../../support/unit-env";

const period = { start: new Date("2026-11-01T00:00:00Z"), end: new Date("2026-12-01T00:00:00Z") };

function summary(overrides: Partial<UsageSummary> = {}): UsageSummary {
  return {
    plan: "free",
    planName: "Free",
    period,
    videos: { used: 3, inProgress: 1, limit: 10, remaining: 6 },
    maxUploadBytes: plans.free.maxUploadBytes,
    maxDurationSeconds: plans.free.maxDurationSeconds,
    subscription: null,
    paymentFailed: false,
    billingEnabled: true,
    ...overrides,
  };
}

const pro = (subscription: NonNullable<UsageSummary["subscription"]>, paymentFailed = false) =>
  summary({
    plan: "pro",
    planName: "Pro",
    videos: { used: 40, inProgress: 0, limit: 200, remaining: 160 },
    maxUploadBytes: plans.pro.maxUploadBytes,
    maxDurationSeconds: plans.pro.maxDurationSeconds,
    subscription,
    paymentFailed,
  });

const render = (s: UsageSummary, checkoutResult: CheckoutResult = null) =>
  renderToStaticMarkup(createElement(BillingOverview, { summary: s, checkoutResult }));

/** The button whose visible label is `label`, as markup. */
function button(html: string, label: string): string {
  const match = html.match(new RegExp(`<button[^>]*>${label}</button>`));
  if (!match) throw new Error(`no "${label}" button in:\n${html}`);
  return match[0];
}

describe("billing page", () => {
  beforeAll(() => useUnitEnv());

  it("shows the current plan, this period's usage and the plan's limits", () => {
    const html = render(summary());
    expect(html).toContain("Free plan</h2>");
    expect(html).toMatch(/<strong>3 of 10<\/strong> videos used this period.*\(1 in progress\)/);
    expect(html).toContain("Nov 1, 2026 – Dec 1, 2026");
    expect(html).toContain("<dd>2 GiB</dd>");
    expect(html).toContain("<dd>30 min</dd>");
    expect(html).not.toContain("disabled");
    expect(button(html, "Upgrade to Pro")).not.toContain("disabled");
    expect(html).not.toContain("Manage billing");
  });

  it("disables upgrading when billing is not configured and says why next to the button", () => {
    const html = render(summary({ billingEnabled: false }));
    expect(html).toContain("Billing is not set up on this server");
    expect(html).toContain("STRIPE_SECRET_KEY");
    const upgrade = button(html, "Upgrade to Pro");
    expect(upgrade).toContain("disabled");
    expect(upgrade).toContain('aria-describedby="billing-disabled"');
    expect(html).toContain('id="billing-disabled"');
    expect(html).toContain("Unavailable: billing is not set up on this server.");
  });

  it("offers Manage billing instead of an upgrade to a Pro subscriber, with the renewal date", () => {
    const html = render(
      pro({ status: "active", currentPeriodEnd: period.end, cancelAtPeriodEnd: false, paymentFailedAt: null }),
    );
    expect(html).toContain("Pro plan</h2>");
    expect(html).toContain("Renews on Dec 1, 2026.");
    expect(button(html, "Manage billing")).not.toContain("disabled");
    expect(html).not.toContain("Upgrade to Pro");
  });

  it("says a failed payment failed, that Pro holds until the period ends, and how to fix it", () => {
    const html = render(
      pro(
        { status: "past_due", currentPeriodEnd: period.end, cancelAtPeriodEnd: false, paymentFailedAt: new Date("2026-11-20T08:00:00Z") },
        true,
      ),
    );
    expect(html).toMatch(/<section[^>]*role="alert"[^>]*>.*Your last payment failed/);
    expect(html).toContain("Stripe could not charge your card on Nov 20, 2026.");
    expect(html).toContain("You keep the Pro plan until Dec 1, 2026.");
    expect(button(html, "Update payment method")).not.toContain("disabled");
  });

  it("says a cancelled subscription keeps Pro until the period ends", () => {
    const html = render(pro({ status: "active", currentPeriodEnd: period.end, cancelAtPeriodEnd: true, paymentFailedAt: null }));
    expect(html).toContain("Cancelled: Pro stays until Dec 1, 2026. Renew it from Manage billing.");
  });

  it("confirms a finished or abandoned checkout", () => {
    expect(render(summary(), "success")).toContain("Stripe is confirming your upgrade");
    expect(render(summary(), "canceled")).toContain("Checkout was cancelled and nothing was charged.");
  });
});
