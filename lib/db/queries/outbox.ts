import type { Db } from "@/lib/db/client";
import { camelRows } from "@/lib/db/camel-rows";

// The outbox: events written in the same transaction as the change they announce, then
// sent. An event id is written once (a repeat is a no-op) and marked sent once.

export async function insertOutboxEvent(
  tx: Db,
  params: { eventName: string; eventId: string; payload: Record<string, unknown>; userId: string | null; projectId: string | null },
): Promise<void> {
  await tx`
    insert into outbox (user_id, project_id, event_name, event_id, payload)
    values (${params.userId}, ${params.projectId}, ${params.eventName}, ${params.eventId}, ${tx.json(params.payload as never)})
    on conflict (event_id) do nothing`;
}

/** Counts a failed send and keeps why, leaving the event unsent for the reconciler. */
export async function recordOutboxSendFailure(db: Db, params: { eventId: string; error: string }): Promise<void> {
  await db`
    update outbox set attempts = attempts + 1, last_error = ${params.error}
    where event_id = ${params.eventId} and sent_at is null`;
}

export async function markOutboxEventsSent(db: Db, eventIds: string[]): Promise<void> {
  await db`update outbox set sent_at = now(), attempts = attempts + 1 where event_id = any(${eventIds}) and sent_at is null`;
}

export type UnsentOutboxRow = { eventId: string; eventName: string; payload: Record<string, unknown>; createdAt: Date };

/** The server's sweep for the reconciler: every owner's unsent events, oldest first. */
export async function listUnsentOutbox(db: Db, params: { olderThan: Date; limit: number }): Promise<UnsentOutboxRow[]> {
  const rows = await db`
    select event_id, event_name, payload, created_at
    from outbox where sent_at is null and created_at < ${params.olderThan}
    order by created_at limit ${params.limit}`;
  return camelRows<UnsentOutboxRow>(rows);
}

/** The owner's project's `project/status.changed` events not sent yet, oldest first. */
export async function listUnsentStatusChanges(
  db: Db,
  params: { projectId: string; userId: string },
): Promise<{ eventId: string; payload: unknown }[]> {
  const rows = await db`
    select event_id, payload from outbox
    where project_id = ${params.projectId} and user_id = ${params.userId}
      and event_name = 'project/status.changed' and sent_at is null
    order by created_at`;
  return camelRows<{ eventId: string; payload: unknown }>(rows);
}
