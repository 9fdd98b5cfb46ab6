import type { Db } from "@/lib/db/client";
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
  const [sub] = await db<(StoredSubscription & { paymentFailedAt: Date | null })[]>`
    select plan, status, current_period_start as "currentPeriodStart", current_period_end as "currentPeriodEnd",
           payment_failed_at as "paymentFailedAt"
    from subscriptions where user_id = ${userId}`;
  if (sub && holdsPaidPlan(sub, now)) {
    return {
      plan: plans[sub.plan as PlanId],
      period: { start: sub.currentPeriodStart, end: sub.currentPeriodEnd },
      paymentFailed: Boolean(sub.paymentFailedAt),
    };
  }
  return { plan: plans.free, period: calendarMonth(now), paymentFailed: false };
}

/** Videos counted (processed) in the period: the usage ledger, one row per project. */
export async function countUsedVideos(db: Db, userId: string, period: BillingPeriod): Promise<number> {
  const [row] = await db<{ count: number }[]>`
    select count(*)::int as count from usage_events
    where user_id = ${userId} and counted_at >= ${period.start} and counted_at < ${period.end}`;
  return row?.count ?? 0;
}

/** Projects started in the period that are still on their way and not yet counted. */
export async function countReservedVideos(db: Db, userId: string, period: BillingPeriod): Promise<number> {
  const [row] = await db<{ count: number }[]>`
    select count(*)::int as count from projects p
    where p.user_id = ${userId} and p.created_at >= ${period.start} and p.created_at < ${period.end}
      and p.status in ('uploading', 'queued', 'processing')
      and not exists (select 1 from usage_events u where u.project_id = p.id)`;
  return row?.count ?? 0;
}

/**
 * Fail-fast quota check for starting a new video, inside the transaction that creates the
 * project. A per-user advisory lock serialises concurrent starts, so two requests racing
 * for the last slot cannot both see it free. The authoritative check runs again in
 * process-video.
 */
export async function reserveVideoSlot(tx: Db, userId: string, now: Date): Promise<UserPlan> {
  await tx`select pg_advisory_xact_lock(hashtext(${`quota:${userId}`}))`;
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
