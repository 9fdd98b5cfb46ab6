import type { Db } from "@/lib/db/client";
import { getSubscriptionRow } from "@/lib/db/queries/subscriptions";
import { countReservedVideos, countUsedVideos, lockUserQuota } from "@/lib/db/queries/usage";
import { AppError } from "@/lib/api/errors";
import { isPlanId, plans, type Plan, type PlanId } from "./plans";

export type BillingPeriod = { start: Date; end: Date };
export type UserPlan = { plan: Plan; period: BillingPeriod; paymentFailed: boolean };

function calendarMonth(now: Date): BillingPeriod {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

// Statuses of a subscription that was paid for at some point: its plan holds until the
// end of the current period. `incomplete`, `incomplete_expired` and `paused` never do.
const statusesHoldingPlan = new Set(["active", "trialing", "past_due", "canceled", "unpaid"]);

type StoredSubscription = {
  plan: string;
  status: string;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
};

/** Whether a stored subscription still grants its paid plan at `now`. */
export function holdsPaidPlan<S extends StoredSubscription>(
  sub: S,
  now: Date,
): sub is S & { currentPeriodStart: Date; currentPeriodEnd: Date } {
  return (
    sub.plan !== "free" &&
    isPlanId(sub.plan) &&
    statusesHoldingPlan.has(sub.status) &&
    sub.currentPeriodStart !== null &&
    sub.currentPeriodEnd !== null &&
    sub.currentPeriodEnd > now
  );
}

/**
 * The plan in force for a user now. A paid plan holds until the end of the period it was
 * paid for, also when a renewal payment fails or the subscription is cancelled.
 */
export async function getUserPlan(db: Db, userId: string, now: Date): Promise<UserPlan> {
  const sub = await getSubscriptionRow(db, userId);
  if (sub && holdsPaidPlan(sub, now)) {
    return {
      plan: plans[sub.plan as PlanId],
      period: { start: sub.currentPeriodStart, end: sub.currentPeriodEnd },
      paymentFailed: Boolean(sub.paymentFailedAt),
    };
  }
  return { plan: plans.free, period: calendarMonth(now), paymentFailed: false };
}

/**
 * Fail-fast quota check for starting a new video, inside the transaction that creates the
 * project. A per-user advisory lock serialises concurrent starts, so two requests racing
 * for the last slot cannot both see it free. The authoritative check runs again in
 * process-video.
 */
export async function reserveVideoSlot(tx: Db, userId: string, now: Date): Promise<UserPlan> {
  await lockUserQuota(tx, userId);
  const userPlan = await getUserPlan(tx, userId, now);
  const used = await countUsedVideos(tx, userId, userPlan.period);
  const reserved = await countReservedVideos(tx, userId, userPlan.period);
  if (used + reserved >= userPlan.plan.videosPerMonth) {
    throw new AppError(
      "quota_exceeded",
      `You have used all ${userPlan.plan.videosPerMonth} videos of the ${userPlan.plan.name} plan this period` +
        (reserved > 0 ? ` (${reserved} still in progress)` : "") +
        `. Upgrade on the billing page, or wait until ${userPlan.period.end.toISOString().slice(0, 10)}.`,
      { plan: userPlan.plan.id, limit: userPlan.plan.videosPerMonth, used, reserved },
    );
  }
  return userPlan;
}
