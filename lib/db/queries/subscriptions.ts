import type { Db } from "@/lib/db/client";
import { firstCamelRow } from "@/lib/db/camel-rows";

export type SubscriptionRow = {
  userId: string;
  stripeCustomerId: string;
  stripeSubscriptionId: string | null;
  plan: string;
  status: string;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  paymentFailedAt: Date | null;
  lastEventAt: Date;
};

/**
 * Serialises every change to one user's billing state (webhook deliveries running at the
 * same time) for the rest of the transaction.
 */
export async function lockUserBilling(tx: Db, userId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${`billing:${userId}`}))`;
}

export async function getSubscriptionRow(db: Db, userId: string): Promise<SubscriptionRow | null> {
  const rows = await db`
    select user_id, stripe_customer_id, stripe_subscription_id, plan, status, current_period_start,
           current_period_end, cancel_at_period_end, payment_failed_at, last_event_at
    from subscriptions where user_id = ${userId}`;
  return firstCamelRow<SubscriptionRow>(rows);
}

/**
 * The row with its version: a token that changes with every write of the row (the id of the
 * transaction that wrote this version of it, Postgres's xmin). Whoever read version v and,
 * holding lockUserBilling, still finds v knows nobody wrote the row in between.
 */
export async function getVersionedSubscriptionRow(
  db: Db,
  userId: string,
): Promise<{ row: SubscriptionRow; version: string } | null> {
  const rows = await db`
    select user_id, stripe_customer_id, stripe_subscription_id, plan, status, current_period_start,
           current_period_end, cancel_at_period_end, payment_failed_at, last_event_at, xmin::text as version
    from subscriptions where user_id = ${userId}`;
  const found = firstCamelRow<SubscriptionRow & { version: string }>(rows);
  if (!found) return null;
  const { version, ...row } = found;
  return { row, version };
}

export async function saveSubscriptionRow(db: Db, row: SubscriptionRow): Promise<void> {
  await db`
    insert into subscriptions (user_id, stripe_customer_id, stripe_subscription_id, plan, status,
      current_period_start, current_period_end, cancel_at_period_end, payment_failed_at, last_event_at)
    values (${row.userId}, ${row.stripeCustomerId}, ${row.stripeSubscriptionId}, ${row.plan}, ${row.status},
      ${row.currentPeriodStart}, ${row.currentPeriodEnd}, ${row.cancelAtPeriodEnd}, ${row.paymentFailedAt},
      ${row.lastEventAt})
    on conflict (user_id) do update set
      stripe_customer_id = excluded.stripe_customer_id,
      stripe_subscription_id = excluded.stripe_subscription_id,
      plan = excluded.plan,
      status = excluded.status,
      current_period_start = excluded.current_period_start,
      current_period_end = excluded.current_period_end,
      cancel_at_period_end = excluded.cancel_at_period_end,
      payment_failed_at = excluded.payment_failed_at,
      last_event_at = excluded.last_event_at`;
}
