import { AppError, notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { countRetryRequests } from "@/lib/db/queries/project-events";
import { getProject, getProjectSourceSize, type ProjectRow } from "@/lib/db/queries/projects";
import { eventIds } from "@/lib/jobs/events";
import { deliverOutboxEvent, enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { recordVerifiedSource } from "@/lib/db/queries/verified-source";
import { verifyStoredVideo } from "@/lib/uploads/verify-stored-video";
import { transitionProject } from "./transitions";

/** A URL import that failed before its download was stored must download again (import-url takes it from `uploading`). */
function needsDownload(project: ProjectRow): boolean {
  return project.sourceType === "url" && Boolean(project.sourceUrl) && !project.r2Key;
}

/**
 * What a retry will process is verified again, as completion verifies it: the stored
 * object of the declared size that starts like a video. When it passes (an operator put
 * the readable file back, say) its ETag becomes the one processing holds storage to;
 * when it does not, the recorded one stays and processing says what is wrong.
 */
async function reverifiedSource(project: ProjectRow): Promise<{ etag: string; size: number } | null> {
  if (!project.r2Key) return null;
  const sourceSize = await getProjectSourceSize(db(), { userId: project.userId, projectId: project.id });
  const check = await verifyStoredVideo(project.r2Key, { expectedSize: sourceSize ?? undefined }).catch(() => null);
  return check?.ok ? { etag: check.etag, size: check.size } : null;
}

/**
 * Starts a failed project again: error → queued with a fresh `video/process` event (or,
 * for an import whose download never landed, error → uploading with a fresh
 * `video/import`). Each retry gets its own event id, so Inngest does not drop it as a
 * duplicate of the first run, while a double-clicked retry still starts only one run:
 * the conditional transition lets one request win.
 */
export async function retryProjectOrThrow(
  claims: UserClaims,
  projectId: string,
): Promise<{ projectId: string; status: "queued" | "uploading" }> {
  const userId = claims.sub;
  const current = await getProject(db(), { userId, projectId });
  if (!current) throw notFound("That project");
  const source = current.status === "error" && !needsDownload(current) ? await reverifiedSource(current) : null;
  const started = await db().begin(async (tx) => {
    const project = await getProject(tx, { userId, projectId });
    if (!project) throw notFound("That project");
    if (project.status !== "error") {
      throw new AppError("conflict", `Only a project that failed can be retried; this one is ${project.status}.`, {
        status: project.status,
      });
    }
    const attempt = (await countRetryRequests(tx, { userId, projectId })) + 1;
    const download = needsDownload(project);
    const to: "uploading" | "queued" = download ? "uploading" : "queued";
    const won = await transitionProject(tx, {
      projectId,
      userId,
      from: ["error"],
      to,
      fields: { stage: null, progress: 0, errorCode: null, errorMessage: null },
      event: {
        kind: "retry_requested",
        message: download ? "Retry requested: downloading the link again." : "Retry requested: processing again.",
        data: { attempt },
      },
    });
    if (!won) throw new AppError("conflict", "This project was already retried.");
    if (source) await recordVerifiedSource(tx, { projectId, userId, ...source });
    const event: OutboxEvent = download
      ? { name: "video/import", id: eventIds.import(projectId, attempt), data: { projectId, userId, url: project.sourceUrl! } }
      : { name: "video/process", id: eventIds.process(projectId, attempt), data: { projectId, userId } };
    await enqueueEvent(tx, { event, userId, projectId });
    return { event, status: to };
  });
  await deliverOutboxEvent(started.event);
  return { projectId, status: started.status };
}
