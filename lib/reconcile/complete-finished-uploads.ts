import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/api/errors";
import { log } from "@/lib/log";
import { addTimelineEvent } from "@/lib/projects/timeline";
import { headObject } from "@/lib/storage/objects";
import { COMPLETION_CLAIM_LEASE_MS, completeUpload } from "@/lib/uploads/complete-upload";
import type { ReconcileDeps, ReconcileSettings } from "./types";

type OpenUpload = {
  id: string;
  userId: string;
  projectId: string;
  key: string;
  size: number;
  method: "single" | "multipart";
  partCount: number | null;
  receivedParts: number;
  receivedBytes: number;
};

/**
 * (a) The client died after its bytes reached storage: an upload still `uploading` (or a
 * `completing` claim whose holder died) whose object exists with the declared size — or,
 * for multipart, whose manifest holds every part — is completed through the normal
 * completion path (claim, verify, queue, event).
 */
export async function completeFinishedUploads(
  db: Db,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ completed: number; checked: number }> {
  const now = deps.now();
  const idleBefore = new Date(now.getTime() - settings.idleUploadMs);
  const staleClaimBefore = new Date(now.getTime() - COMPLETION_CLAIM_LEASE_MS);
  const candidates = await db<OpenUpload[]>`
    select u.id, u.user_id as "userId", u.project_id as "projectId", u.key, u.size, u.method,
           u.part_count as "partCount",
           (select count(*)::int from upload_parts p where p.upload_id = u.id) as "receivedParts",
           (select coalesce(sum(p.size), 0)::bigint from upload_parts p where p.upload_id = u.id) as "receivedBytes"
    from uploads u
    where (u.status = 'uploading' and u.updated_at < ${idleBefore})
       or (u.status = 'completing' and u.claimed_at < ${staleClaimBefore})
    order by u.updated_at
    limit ${settings.batchSize}`;

  let completed = 0;
  for (const upload of candidates) {
    const finished =
      upload.method === "multipart"
        ? upload.receivedParts === upload.partCount && upload.receivedBytes === upload.size
        : (await headObject(upload.key))?.size === upload.size;
    if (!finished) continue;
    try {
      const result = await completeUpload({ userId: upload.userId, uploadId: upload.id }, { send: deps.send, now: deps.now });
      if (result.status !== "queued") continue;
      completed++;
      await addTimelineEvent(db, {
        projectId: upload.projectId,
        userId: upload.userId,
        kind: "reconciled",
        message: "The upload had reached storage but was never completed by the browser; it was completed automatically.",
        data: { action: "complete_upload", uploadId: upload.id },
      });
      log.info("reconcile_upload_completed", { uploadId: upload.id, projectId: upload.projectId });
    } catch (error) {
      // A refused file ends in `error` through the completion path itself; anything else
      // is left for the next run.
      log.warn("reconcile_upload_not_completed", {
        uploadId: upload.id,
        code: error instanceof AppError ? error.code : undefined,
        error,
      });
    }
  }
  return { completed, checked: candidates.length };
}
