import { eventIds } from "@/lib/jobs/events";
import { AppError } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import type { ProjectStatus } from "@/lib/db/queries/projects";
import { recordVerifiedSource } from "@/lib/db/queries/verified-source";
import { enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { transitionProject } from "@/lib/projects/transitions";

/**
 * Inside the caller's transaction: records that a project's source is verified in storage
 * (`r2_key`, the verified object's ETag and size, `upload_completed_at`, status `queued`, a
 * timeline event) and writes the
 * `video/process` event to the outbox in the same commit. Returns the event to send once
 * the transaction has committed. Upload completion and URL import both end here.
 */
export async function queueVerifiedSource(
  tx: Db,
  params: {
    projectId: string;
    userId: string;
    key: string;
    /** The object verified: processing reads only the object with this ETag and size. */
    verified: { etag: string; size: number };
    receivedAt: Date;
    message: string;
    data?: Record<string, unknown>;
    from?: ProjectStatus[];
  },
): Promise<OutboxEvent> {
  const queued = await transitionProject(tx, {
    projectId: params.projectId,
    userId: params.userId,
    from: params.from ?? ["uploading"],
    to: "queued",
    fields: { r2Key: params.key, uploadCompletedAt: params.receivedAt, stage: null, progress: 0 },
    event: { kind: "upload_completed", message: params.message, data: { key: params.key, ...params.data } },
  });
  if (!queued) {
    throw new AppError("conflict", "This project is no longer waiting for its video (it was cancelled, expired or failed).");
  }
  await recordVerifiedSource(tx, { projectId: params.projectId, userId: params.userId, ...params.verified });
  const event: OutboxEvent = {
    name: "video/process",
    id: eventIds.process(params.projectId),
    data: { projectId: params.projectId, userId: params.userId },
  };
  await enqueueEvent(tx, { event, userId: params.userId, projectId: params.projectId });
  return event;
}
