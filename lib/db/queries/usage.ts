import type { Db } from "@/lib/db/client";

type Period = { start: Date; end: Date };

/**
 * Serialises the starts of one user's new videos for the rest of the transaction, so two
 * requests racing for the last slot of the plan cannot both see it free.
 */
export async function lockUserQuota(tx: Db, userId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${`quota:${userId}`}))`;
}

/** Videos counted (processed) in the period: the usage ledger, one row per project. */
export async function countUsedVideos(db: Db, userId: string, period: Period): Promise<number> {
  const [row] = await db<{ count: number }[]>`
    select count(*)::int as count from usage_events
    where user_id = ${userId} and counted_at >= ${period.start} and counted_at < ${period.end}`;
  return row?.count ?? 0;
}

/** Projects started in the period that are still on their way and not yet counted. */
export async function countReservedVideos(db: Db, userId: string, period: Period): Promise<number> {
  const [row] = await db<{ count: number }[]>`
    select count(*)::int as count from projects p
    where p.user_id = ${userId} and p.created_at >= ${period.start} and p.created_at < ${period.end}
      and p.status in ('uploading', 'queued', 'processing')
      and not exists (select 1 from usage_events u where u.project_id = p.id)`;
  return row?.count ?? 0;
}
