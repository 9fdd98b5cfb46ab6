import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { getUsageSummary } from "@/lib/billing/get-usage-summary";
import { asUser } from "@/lib/db/as-user";
import { BillingOverview, type CheckoutResult } from "./billing-overview";

export const metadata: Metadata = { title: "Billing" };
export const dynamic = "force-dynamic";

export default async function BillingPage({ searchParams }: { searchParams: Promise<{ checkout?: string }> }) {
  const { user, claims } = await requireUser();
  const summary = await asUser(claims, (tx) => getUsageSummary(tx, user.id, new Date()));
  const { checkout } = await searchParams;
  const checkoutResult: CheckoutResult = checkout === "success" || checkout === "canceled" ? checkout : null;
  return <BillingOverview summary={summary} checkoutResult={checkoutResult} />;
}
