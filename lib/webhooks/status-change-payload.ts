import type { ProjectStatusChangedData } from "@/lib/jobs/events";
import type { Db } from "@/lib/db/client";
import { getProjectTitleAndError } from "@/lib/db/queries/projects";
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

export async function buildStatusChangePayload(db: Db, event: ProjectStatusChangedData): Promise<StatusChangePayload> {
  const project = await getProjectTitleAndError(db, { userId: event.userId, projectId: event.projectId });
  return {
    type: event.status === "ready" ? "project.ready" : "project.error",
    timestamp: event.at,
    data: {
      projectId: event.projectId,
      title: project?.title ?? null,
      status: event.status,
      error: event.status === "error" ? { code: project?.errorCode ?? null, message: project?.errorMessage ?? null } : null,
      url: new URL(`/projects/${event.projectId}`, env().APP_URL).href,
    },
  };
}
