import type { Db } from "@/lib/db/client";

export type TimelineKind =
  | "upload_started"
  | "upload_completed"
  | "upload_failed"
  | "upload_expired"
  | "upload_aborted"
  | "import_started"
  | "import_completed"
  | "queued"
  | "processing_started"
  | "stage_started"
  | "stage_completed"
  | "ready"
  | "error"
  | "retry_requested"
  | "renamed"
  | "reconciled";

/** Appends a timeline event — what a person watching the project page reads. */
export async function addTimelineEvent(
  db: Db,
  params: { projectId: string; userId: string; kind: TimelineKind; message: string; data?: Record<string, unknown> },
): Promise<void> {
  await db`
    insert into project_events (project_id, user_id, kind, message, data)
    values (${params.projectId}, ${params.userId}, ${params.kind}, ${params.message}, ${params.data ? db.json(params.data as never) : null})`;
}

export type TimelineEntry = { at: Date; kind: TimelineKind; message: string; data: Record<string, unknown> | null };

export async function listTimeline(db: Db, params: { projectId: string; userId: string }): Promise<TimelineEntry[]> {
  return db<TimelineEntry[]>`
    select created_at as at, kind, message, data from project_events
    where project_id = ${params.projectId} and user_id = ${params.userId}
    order by id`;
}

/** How many times the project was retried: the timeline keeps each request. */
export async function countRetryRequests(db: Db, params: { projectId: string; userId: string }): Promise<number> {
  const [row] = await db<{ count: number }[]>`
    select count(*)::int as count from project_events
    where project_id = ${params.projectId} and user_id = ${params.userId} and kind = 'retry_requested'`;
  return row?.count ?? 0;
}

/** The id of the project's newest timeline event (0 when it has none): it changes whenever the timeline grows. */
export async function getLastTimelineId(db: Db, params: { projectId: string; userId: string }): Promise<number> {
  const [row] = await db<{ id: number | null }[]>`
    select max(id)::bigint as id from project_events
    where project_id = ${params.projectId} and user_id = ${params.userId}`;
  return row?.id ?? 0;
}
