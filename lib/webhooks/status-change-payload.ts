import type { ProjectStatusChangedData } from "@/lib/jobs/events";
import type { Db } from "@/lib/db/client";
import { getProjectStatusAndError } from "@/lib/db/queries/projects";
import { env } from "@/lib/env";

// The body receivers get, in the Standard Webhooks shape: a type, the time of the change,
// and the data. It says what happened and where to look, not everything about the project:
// receivers fetch GET /api/projects/:id for the rest.

export type StatusChangePayload = {
  type: "project.ready" | "project.error";
  timestamp: string;
  data: {
    projectId: string;
    title: string | null;
    status: "ready" | "error";
    error: { code: string | null; message: string | null } | null;
    url: string;
  };
};

/**
 * The payload for a status change, read from the owner's project as it is now; null when
 * the project is gone or no longer has the status the event announces. An event is sent
 * after its commit and may be resent by the reconciler much later: by then the project may
 * have been retried or deleted, and a receiver must not be told it is in a state it left.
 */
export async function buildStatusChangePayload(db: Db, event: ProjectStatusChangedData): Promise<StatusChangePayload | null> {
  const project = await getProjectStatusAndError(db, { userId: event.userId, projectId: event.projectId });
  if (project?.status !== event.status) return null;
  return {
    type: project.status === "ready" ? "project.ready" : "project.error",
    timestamp: event.at,
    data: {
      projectId: event.projectId,
      title: project.title,
      status: project.status,
      error: project.status === "error" ? { code: project.errorCode, message: project.errorMessage } : null,
      url: new URL(`/projects/${event.projectId}`, env().APP_URL).href,
    },
  };
}
