import type { Db, Sql } from "@/lib/db/client";
import { log } from "@/lib/log";
import { deliverOutboxEvent, enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { addTimelineEvent } from "@/lib/projects/timeline";
import { failProject } from "@/lib/projects/transitions";
import type { ReconcileDeps, ReconcileSettings } from "./types";

export const STALLED_MESSAGE =
  "Processing stopped making progress and was stopped after one automatic retry. Press Retry to try again; if it stalls again, the video may be damaged.";

/**
 * (d) A `processing` project whose progress has not moved for the stall bound: the first
 * time, its run's claim is released and `video/process` is sent again (a new run takes
 * over; the stalled run's writes are conditional on its own run id and stop counting);
 * the second time, the project fails with a message that says what happened.
 */
export async function recoverStalledProcessing(
  db: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ retried: number; failed: number }> {
  const cutoff = new Date(deps.now().getTime() - settings.stallMs);
  const stalled = await db<{ id: string; userId: string; stallRetries: number; stage: string | null }[]>`
    select id, user_id as "userId", stall_retries as "stallRetries", stage
    from projects where status = 'processing' and last_progress_at < ${cutoff}
    order by last_progress_at limit ${settings.batchSize}`;

  let retried = 0;
  let failed = 0;
  for (const project of stalled) {
    const ref = { projectId: project.id, userId: project.userId };
    if (project.stallRetries === 0) {
      const event = await db.begin((tx) => requeueStalled(tx, ref, cutoff, project.stage));
      if (!event) continue;
      retried++;
      await deliverOutboxEvent(event, deps.send);
      log.warn("reconcile_processing_retried", { ...ref, stage: project.stage });
    } else {
      const won = await failProject(db, { ...ref, code: "processing_stalled", message: STALLED_MESSAGE, data: { stage: project.stage } });
      if (won) {
        failed++;
        log.error("reconcile_processing_failed", { ...ref, stage: project.stage });
      }
    }
  }
  return { retried, failed };
}

async function requeueStalled(
  tx: Db,
  ref: { projectId: string; userId: string },
  cutoff: Date,
  stage: string | null,
): Promise<OutboxEvent | null> {
  const rows = await tx`
    update projects set status = 'queued', processing_run_id = null, stall_retries = stall_retries + 1,
      stage = null, progress = 0, last_progress_at = now()
    where id = ${ref.projectId} and user_id = ${ref.userId} and status = 'processing' and last_progress_at < ${cutoff}
    returning id`;
  if (rows.length === 0) return null;
  await addTimelineEvent(tx, {
    ...ref,
    kind: "reconciled",
    message: `Processing made no progress${stage ? ` during ${stage}` : ""} for too long; it was restarted once automatically.`,
    data: { action: "retry_stalled", stage },
  });
  const event: OutboxEvent = {
    name: "video/process",
    id: `process-${ref.projectId}-stall-retry`,
    data: { projectId: ref.projectId, userId: ref.userId },
  };
  await enqueueEvent(tx, { event, ...ref });
  return event;
}
