import type { Db } from "@/lib/db/client";
import { addTimelineEvent, type TimelineKind } from "@/lib/db/queries/project-events";
import { updateProjectStatus, type ProjectStatus, type ProjectStatusFields } from "@/lib/db/queries/projects";

// A project's status changes only through these conditional UPDATEs: each says whether
// it won, so two workers (a retry and a late duplicate, a reconciler and a client) can
// never both move the same project. They only write: a `ready`/`error` change's webhook
// event goes to the outbox with the change (the database writes it), and the caller sends
// it once the change is committed (sendStatusChangeEvents), or the reconciler does.

export async function transitionProject(
  db: Db,
  params: {
    projectId: string;
    userId: string;
    from: ProjectStatus[];
    to: ProjectStatus;
    fields?: ProjectStatusFields;
    event?: { kind: TimelineKind; message: string; data?: Record<string, unknown> };
  },
): Promise<boolean> {
  const won = await updateProjectStatus(db, params);
  if (won && params.event) {
    await addTimelineEvent(db, { projectId: params.projectId, userId: params.userId, ...params.event });
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
