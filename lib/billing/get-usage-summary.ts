import type { Db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { PlanId } from "./plans";
import { getSubscriptionRow } from "@/lib/db/queries/subscriptions";
import { countReservedVideos, countUsedVideos } from "@/lib/db/queries/usage";
import { isLiveSubscriptionStatus, isPaidUpStatus } from "./subscription-status";
import { getUserPlan } from "./usage";

export type UsageSummary = {
  plan: PlanId;
  planName: string;
  period: { start: Date; end: Date };
  videos: { used: number; inProgress: number; limit: number; remaining: number };
  maxUploadBytes: number;
  maxDurationSeconds: number;
  /** The Stripe subscription behind a paid plan, or null when there has never been one. */
  subscription: {
    status: string;
    currentPeriodEnd: Date | null;
    cancelAtPeriodEnd: boolean;
    /** When the last payment failed, until a payment goes through again. */
    paymentFailedAt: Date | null;
  } | null;
  paymentFailed: boolean;
  billingEnabled: boolean;
};

/** What GET /api/usage and the billing page show: the plan in force and what is left of it. */
export async function getUsageSummary(db: Db, userId: string, now: Date): Promise<UsageSummary> {
  const { plan, period } = await getUserPlan(db, userId, now);
  const [used, inProgress, subscription] = await Promise.all([
    countUsedVideos(db, userId, period),
    countReservedVideos(db, userId, period),
    getSubscriptionRow(db, userId),
  ]);
  // A failed payment matters while it can still be fixed: Pro still holds, or the
  // subscription is still open for the card to be updated. Once both are over, it is history.
  const paymentFailedAt =
    subscription?.paymentFailedAt &&
    !isPaidUpStatus(subscription.status) &&
    (plan.id !== "free" || isLiveSubscriptionStatus(subscription.status))
      ? subscription.paymentFailedAt
      : null;
  return {
    plan: plan.id,
    planName: plan.name,
    period,
    videos: {
      used,
      inProgress,
      limit: plan.videosPerMonth,
      remaining: Math.max(0, plan.videosPerMonth - used - inProgress),
    },
    maxUploadBytes: plan.maxUploadBytes,
    maxDurationSeconds: plan.maxDurationSeconds,
    subscription: subscription?.stripeSubscriptionId
      ? {
          status: subscription.status,
          currentPeriodEnd: subscription.currentPeriodEnd,
          cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
          paymentFailedAt,
        }
      : null,
    paymentFailed: paymentFailedAt !== null,
    billingEnabled: env().billingEnabled,
  };
}
