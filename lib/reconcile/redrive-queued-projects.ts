import type { Sql } from "@/lib/db/client";
import { redriveWaiting, type WaitingCandidate, type WaitingSpec } from "./redrive";
import { abandonedBefore, type ReconcileDeps, type ReconcileSettings } from "./types";

export const NEVER_STARTED_MESSAGE =
  "Processing never started: the job was sent again twice and no worker picked it up. Press Retry to try again.";

// A `queued` project's event was handed to the job runner (an unsent one is the outbox's
// to resend), so it waits on a run that should come. In embedded mode a crash loses the
// run, and a run that failed before claiming the project leaves it queued too.
const queuedSpec: WaitingSpec = {
  waiting: "queued",
  list: (sql, before, limit) => sql<WaitingCandidate[]>`
    select p.id, p.user_id as "userId", p.stage, p.stall_retries as "stallRetries", p.source_url as "sourceUrl",
           coalesce(p.last_progress_at, p.created_at) as "lastTouchedAt"
    from projects p
    where p.status = 'queued' and coalesce(p.last_progress_at, p.created_at) < ${before}
      and not exists (
        select 1 from outbox o where o.project_id = p.id and o.event_name = 'video/process' and o.sent_at is null)
    order by 6 limit ${limit}`,
  maxRestarts: { stalled: 2, interrupted: 3 },
  redriveMessage: (_project, cause) =>
    cause === "interrupted"
      ? "The server stopped before processing started; the job was sent again."
      : "Processing had not started for too long; the job was sent again.",
  failure: { code: "processing_not_started", message: () => NEVER_STARTED_MESSAGE },
};

/**
 * (d′) A `queued` project no run has taken for the waiting bound (or, right after an
 * embedded-mode restart, one the previous process had accepted): `video/process` is sent
 * again with a new event id. One that this process's runner holds (waiting for a slot) is
 * left alone. After two re-drives that did not help, the project fails visibly.
 */
export async function redriveQueuedProjects(
  sql: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ redriven: number; failed: number }> {
  return redriveWaiting(
    sql,
    queuedSpec,
    {
      lastTouchedBefore: abandonedBefore(settings, deps.now(), settings.waitingMs),
      interruptedBefore: settings.interruptedBefore,
      limit: settings.batchSize,
      held: (project) => deps.runHeld("video/process", { projectId: project.id }),
    },
    deps,
  );
}
