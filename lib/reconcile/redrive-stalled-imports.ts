import type { Sql } from "@/lib/db/client";
import { redriveWaiting, type WaitingCandidate, type WaitingSpec } from "./redrive";
import { abandonedBefore, type ReconcileDeps, type ReconcileSettings } from "./types";

export const IMPORT_STALLED_MESSAGE =
  "The download from the link stopped and did not resume after automatic restarts. Check that the link works in a browser, then retry.";

// A link import is `uploading` while import-url downloads it; the download writes progress
// every second, so a row that has not moved for the bound has lost its run.
const importSpec: WaitingSpec = {
  waiting: "importing",
  list: (sql, before, limit) => sql<WaitingCandidate[]>`
    select p.id, p.user_id as "userId", p.stage, p.stall_retries as "stallRetries", p.source_url as "sourceUrl",
           coalesce(p.last_progress_at, p.created_at) as "lastTouchedAt"
    from projects p
    where p.status = 'uploading' and p.source_type = 'url' and p.source_url is not null and p.r2_key is null
      and coalesce(p.last_progress_at, p.created_at) < ${before}
      and not exists (
        select 1 from outbox o where o.project_id = p.id and o.event_name = 'video/import' and o.sent_at is null)
    order by 6 limit ${limit}`,
  maxRestarts: { stalled: 2, interrupted: 3 },
  redriveMessage: (_project, cause) =>
    cause === "interrupted"
      ? "The server stopped during the download; it was started again."
      : "The download made no progress for too long; it was started again.",
  failure: { code: "download_stalled", message: () => IMPORT_STALLED_MESSAGE },
};

/** (d″) A link import whose download lost its run: `video/import` again with a new event id, then a visible failure. */
export async function redriveStalledImports(
  sql: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ redriven: number; failed: number }> {
  return redriveWaiting(
    sql,
    importSpec,
    {
      lastTouchedBefore: abandonedBefore(settings, deps.now(), settings.waitingMs),
      interruptedBefore: settings.interruptedBefore,
      limit: settings.batchSize,
      held: (project) => deps.runHeld("video/import", { projectId: project.id }),
    },
    deps,
  );
}
