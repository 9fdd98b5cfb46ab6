/**
 * Stripe subscription statuses in which the subscription still exists and can be managed
 * in the Customer Portal (renewed, paid, resumed). A new Checkout would start a second,
 * separately billed subscription next to it.
 */
const liveStatuses = new Set(["active", "trialing", "past_due", "unpaid", "paused"]);

export function isLiveSubscriptionStatus(status: string): boolean {
  return liveStatuses.has(status);
}

/** Statuses in which the last payment went through (or none is due yet). */
export function isPaidUpStatus(status: string): boolean {
  return status === "active" || status === "trialing";
}
