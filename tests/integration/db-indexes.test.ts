import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type postgres from "postgres";
import { db } from "@/lib/db/client";

// The queries that run most often use an index made for them (migration
// 20261205060000_indexes_for_hot_paths.sql). Each check fills the tables with enough rows
// for the planner's choice to mean something — many people, many projects each — inside
// one transaction that is rolled back at the end, so the shared test database is left as
// it was, and reads the plan of the same SQL the app runs.

type Plan = { "Node Type": string; "Index Name"?: string; Plans?: Plan[] };

function indexesIn(plan: Plan): string[] {
  return [...(plan["Index Name"] ? [plan["Index Name"]] : []), ...(plan.Plans ?? []).flatMap(indexesIn)];
}

/** The indexes the plan of `query` (with `parameters` bound, as the app binds them) reads. */
async function indexesUsed(tx: postgres.TransactionSql, query: string, parameters: (string | Date)[]): Promise<string[]> {
  const [row] = await tx.unsafe<{ "QUERY PLAN": [{ Plan: Plan }] }[]>(`explain (format json) ${query}`, parameters);
  return indexesIn(row!["QUERY PLAN"][0].Plan);
}

class RolledBack extends Error {}

type BusyTables = { tx: postgres.TransactionSql; userId: string; projectId: string };

/**
 * Opens a transaction holding a realistic amount of data and keeps it open until
 * `rollBack` is called, which undoes all of it.
 */
async function openBusyTables(): Promise<BusyTables & { rollBack: () => Promise<void> }> {
  let ready!: (tables: BusyTables) => void;
  let finish!: () => void;
  const opened = new Promise<BusyTables>((resolve) => (ready = resolve));
  const done = db()
    .begin(async (tx) => {
      const users = await tx<{ id: string }[]>`
        insert into auth.users (email) select 'index-check-' || gen_random_uuid() || '@example.com' from generate_series(1, 200)
        returning id`;
      const userIds = users.map((u) => u.id);
      await tx`
        insert into projects (user_id, title, source_type, status, updated_at, created_at)
        select u.id, 'project ' || n, 'upload', 'ready', now() - n * interval '1 minute', now() - n * interval '1 minute'
        from unnest(${userIds}::uuid[]) as u(id), generate_series(1, 50) as n`;
      await tx`
        insert into outbox (user_id, project_id, event_name, event_id, payload, sent_at)
        select p.user_id, p.id, 'project/status.changed', 'index-check-' || p.id || '-' || n, '{}'::jsonb,
               case when n = 1 then null else now() end
        from projects p join unnest(${userIds}::uuid[]) as u(id) on p.user_id = u.id, generate_series(1, 3) as n`;
      await tx`
        insert into webhook_endpoints (user_id, url, secret)
        select id, 'https://example.com/hook', 'secret' from unnest(${userIds}::uuid[]) as u(id)`;
      await tx`
        insert into webhook_deliveries (endpoint_id, user_id, project_id, event_type, message_id, payload)
        select e.id, e.user_id, null, 'project.ready', 'index-check-' || n, '{}'::jsonb
        from webhook_endpoints e join unnest(${userIds}::uuid[]) as u(id) on e.user_id = u.id, generate_series(1, 40) as n`;
      await tx`
        insert into webhook_delivery_attempts (delivery_id, user_id, attempt, started_at, duration_ms)
        select d.id, d.user_id, 1, now(), 10
        from webhook_deliveries d join unnest(${userIds}::uuid[]) as u(id) on d.user_id = u.id`;
      await tx`analyze projects, outbox, webhook_deliveries, webhook_delivery_attempts`;
      const [project] = await tx<{ id: string }[]>`select id from projects where user_id = ${userIds[0]!} limit 1`;
      ready({ tx, userId: userIds[0]!, projectId: project!.id });
      await new Promise<void>((resolve) => (finish = resolve));
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  const tables = await Promise.race([opened, done.then(() => Promise.reject(new Error("the transaction ended before it was filled")))]);
  return {
    ...tables,
    rollBack: async () => {
      finish();
      await done;
    },
  };
}

let busy: Awaited<ReturnType<typeof openBusyTables>>;
beforeAll(async () => {
  busy = await openBusyTables();
});
afterAll(async () => {
  await busy?.rollBack();
});

describe("indexes for the queries that run most often", () => {
  it("answers the live list's poll (a person's projects changed since a moment) from projects_user_updated_idx", async () => {
    const since = new Date(Date.now() - 5 * 60_000);
    // lib/db/queries/projects.ts listProjectsChangedSince
    const indexes = await indexesUsed(
      busy.tx,
      "select id, title, status, updated_at from projects where user_id = $1 and updated_at > $2 order by updated_at, id limit 50",
      [busy.userId, since],
    );
    expect(indexes).toContain("projects_user_updated_idx");
  });

  it("finds a project's unsent status events from outbox_project_idx", async () => {
    // lib/db/queries/outbox.ts listUnsentStatusChanges
    const indexes = await indexesUsed(
      busy.tx,
      "select event_id, payload from outbox where project_id = $1 and user_id = $2 and event_name = 'project/status.changed' and sent_at is null order by created_at",
      [busy.projectId, busy.userId],
    );
    expect(indexes).toContain("outbox_project_idx");
  });

  it("finds a person's deliveries of one message from webhook_deliveries_user_message_idx", async () => {
    // lib/db/queries/webhook-deliveries.ts createDeliveries
    const indexes = await indexesUsed(
      busy.tx,
      "select id, endpoint_id from webhook_deliveries where user_id = $1 and message_id = $2 and status = 'pending' and attempts = 0 order by created_at, id",
      [busy.userId, "index-check-7"],
    );
    expect(indexes).toContain("webhook_deliveries_user_message_idx");
  });

  it("finds a person's delivery attempts from webhook_delivery_attempts_user_idx", async () => {
    // row-level security on webhook_delivery_attempts reads them by user_id = auth.uid()
    const indexes = await indexesUsed(busy.tx, "select id, attempt, started_at from webhook_delivery_attempts where user_id = $1", [busy.userId]);
    expect(indexes).toContain("webhook_delivery_attempts_user_idx");
  });
});
