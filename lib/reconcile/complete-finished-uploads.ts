import type { Db } from "@/lib/db/client";
import { listUploadsToComplete, type OpenUpload } from "@/lib/db/queries/reconcile";
import { AppError } from "@/lib/api/errors";
import { log } from "@/lib/log";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { headObject } from "@/lib/storage/objects";
import { COMPLETION_CLAIM_LEASE_MS, completeUpload } from "@/lib/uploads/complete-upload";
import { abandonedBefore, type ReconcileDeps, type ReconcileSettings } from "./types";

/** Whether storage (single PUT) or the manifest (multipart) holds every byte the upload declared. */
export async function uploadLooksFinished(upload: Pick<OpenUpload, "key" | "size" | "method" | "partCount" | "receivedParts" | "receivedBytes">): Promise<boolean> {
  if (upload.method === "multipart") {
    if (upload.receivedParts === upload.partCount && upload.receivedBytes === upload.size) return true;
    // An earlier completion may have assembled the object and died before recording it.
  }
  return (await headObject(upload.key))?.size === upload.size;
}

/**
 * (a) The client died after its bytes reached storage: an upload still `uploading` whose
 * object exists with the declared size — or, for multipart, whose manifest holds every part
 * — is completed through the normal completion path (claim, verify, queue, event). And a
 * `completing` claim whose holder died (older than the lease, or, right after an
 * embedded-mode restart, made by the previous process) is taken over the same way: it
 * completes, or ends visibly, or goes back to `uploading` for expiry to judge.
 */
export async function completeFinishedUploads(
  db: Db,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ completed: number; checked: number; claimsRecovered: number }> {
  const now = deps.now();
  const idleBefore = new Date(now.getTime() - settings.idleUploadMs);
  const staleClaimBefore = abandonedBefore(settings, now, COMPLETION_CLAIM_LEASE_MS);
  const candidates = await listUploadsToComplete(db, { idleBefore, staleClaimBefore, limit: settings.batchSize });

  let completed = 0;
  let claimsRecovered = 0;
  for (const upload of candidates) {
    try {
      if (upload.status === "uploading" && !(await uploadLooksFinished(upload))) continue;
      if (upload.status === "completing") claimsRecovered++;
      const result = await completeUpload(
        { userId: upload.userId, uploadId: upload.id },
        { send: deps.send, now: deps.now, staleClaimBefore },
      );
      if (result.status !== "queued") continue;
      completed++;
      await addTimelineEvent(db, {
        projectId: upload.projectId,
        userId: upload.userId,
        kind: "reconciled",
        message:
          upload.status === "completing"
            ? "The completion of this upload was interrupted; it was finished automatically."
            : "The upload had reached storage but was never completed by the browser; it was completed automatically.",
        data: { action: "complete_upload", uploadId: upload.id },
      });
      log.info("reconcile_upload_completed", { uploadId: upload.id, projectId: upload.projectId });
    } catch (error) {
      // A refused file ends in `error` through the completion path itself; an incomplete
      // one went back to `uploading` (expiry ends it); anything else is left for the next run.
      log.warn("reconcile_upload_not_completed", {
        uploadId: upload.id,
        code: error instanceof AppError ? error.code : undefined,
        error,
      });
    }
  }
  return { completed, checked: candidates.length, claimsRecovered };
}
