import type { Db } from "@/lib/db/client";
import type { ProjectStatus } from "@/lib/db/queries/projects";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { addTimelineEvent, type TimelineKind } from "./timeline";

// A project's status changes only through these conditional UPDATEs: each says whether
// it won, so two workers (a retry and a late duplicate, a reconciler and a client) can
// never both move the same project.

type Fields = Partial<{
  stage: string | null;
  progress: number;
  errorCode: string | null;
  errorMessage: string | null;
  r2Key: string;
  uploadCompletedAt: Date;
}>;

export async function transitionProject(
  db: Db,
  params: {
    projectId: string;
    userId: string;
    from: ProjectStatus[];
    to: ProjectStatus;
    fields?: Fields;
    event?: { kind: TimelineKind; message: string; data?: Record<string, unknown> };
  },
): Promise<boolean> {
  const f = params.fields ?? {};
  const rows = await db`
    update projects set
      status = ${params.to},
      stage = ${f.stage === undefined ? db`stage` : f.stage},
      progress = ${f.progress === undefined ? db`progress` : f.progress},
      error_code = ${f.errorCode === undefined ? db`error_code` : f.errorCode},
      error_message = ${f.errorMessage === undefined ? db`error_message` : f.errorMessage},
      r2_key = ${f.r2Key === undefined ? db`r2_key` : f.r2Key},
      upload_completed_at = ${f.uploadCompletedAt === undefined ? db`upload_completed_at` : f.uploadCompletedAt},
      last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId} and status in ${db(params.from)}
    returning id`;
  const won = rows.length === 1;
  if (won && params.event) {
    await addTimelineEvent(db, { projectId: params.projectId, userId: params.userId, ...params.event });
  }
  // The database writes a `ready`/`error` change's webhook event to the outbox with the
  // change. Outside a transaction both are committed now, so it is sent at once; inside
  // one (TransactionSql has `savepoint`) the commit is the caller's, and the reconciler
  // sends it.
  if (won && (params.to === "ready" || params.to === "error") && !("savepoint" in db)) {
    await sendStatusChangeEvents(params.projectId);
  }
  return won;
}

/**
 * Puts a project into `error` with a code and a message a person understands, from any
 * state that is not already final. Returns false when it was already ready/canceled/error.
 */
export async function failProject(
  db: Db,
  params: { projectId: string; userId: string; code: string; message: string; data?: Record<string, unknown> },
): Promise<boolean> {
  return transitionProject(db, {
    projectId: params.projectId,
    userId: params.userId,
    from: ["uploading", "queued", "processing"],
    to: "error",
    fields: { errorCode: params.code, errorMessage: params.message },
    event: { kind: "error", message: params.message, data: { code: params.code, ...params.data } },
  });
}
