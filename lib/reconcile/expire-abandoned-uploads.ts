import { AppError } from "@/lib/api/errors";
import type { Sql } from "@/lib/db/client";
import { listExpiredUploads, type OpenUpload } from "@/lib/db/queries/reconcile";
import { deleteUploadParts, getUpload, markUploadExpired } from "@/lib/db/queries/uploads";
import { log } from "@/lib/log";
import { transitionProject } from "@/lib/projects/transitions";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { deleteObject } from "@/lib/storage/objects";
import { isOwnedKey } from "@/lib/storage/owned-keys";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { storageErrorName } from "@/lib/uploads/storage-errors";
import { uploadLooksFinished } from "./complete-finished-uploads";
import type { ReconcileDeps, ReconcileSettings } from "./types";

export const UPLOAD_EXPIRED_MESSAGE =
  "Upload expired: the file was not finished before the upload's deadline. Upload the video again.";

/**
 * (b) Uploads past their expiry: the upload URLs have expired with them, so nothing more
 * can arrive and every one of them ends now, whatever storage holds. One whose bytes are
 * all there is completed (it may still end in `error` if the file is refused); any other —
 * nothing stored, a single PUT cut off mid-body, a completion refused as incomplete — has
 * its multipart upload aborted and its partial object removed in storage first (so nothing
 * lingers and costs money), then is marked `expired` and the project says so. A storage
 * call that fails leaves the upload for the next run. Storage is touched only under the
 * owner's prefix: a row naming another key expires without it (owned-keys.ts logs it).
 */
export async function expireAbandonedUploads(
  db: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ expired: number; completed: number; abortFailures: number }> {
  const now = deps.now();
  const candidates = await listExpiredUploads(db, { now, limit: settings.batchSize });

  let expired = 0;
  let completed = 0;
  let abortFailures = 0;
  for (const upload of candidates) {
    try {
      if (await completeIfFinished(db, upload, deps)) {
        completed++;
        continue;
      }
      await removeFromStorage(upload);
    } catch (error) {
      abortFailures++;
      log.warn("reconcile_abort_failed", { uploadId: upload.id, error });
      continue;
    }
    const marked = await db.begin(async (tx) => {
      const ref = { userId: upload.userId, uploadId: upload.id };
      if (!(await markUploadExpired(tx, ref))) return false;
      await deleteUploadParts(tx, ref);
      await transitionProject(tx, {
        projectId: upload.projectId,
        userId: upload.userId,
        from: ["uploading"],
        to: "expired",
        fields: { errorCode: "upload_expired", errorMessage: UPLOAD_EXPIRED_MESSAGE, stage: null },
        event: { kind: "upload_expired", message: UPLOAD_EXPIRED_MESSAGE, data: { uploadId: upload.id } },
      });
      return true;
    });
    if (marked) {
      expired++;
      log.info("reconcile_upload_expired", { uploadId: upload.id, projectId: upload.projectId });
    }
  }
  return { expired, completed, abortFailures };
}

/** True when the upload ended through completion (queued, or refused visibly); throws when storage could not be asked. */
async function completeIfFinished(db: Sql, upload: OpenUpload, deps: ReconcileDeps): Promise<boolean> {
  if (!(await uploadLooksFinished(upload))) return false;
  try {
    await completeUpload({ userId: upload.userId, uploadId: upload.id }, { send: deps.send, now: deps.now });
  } catch (error) {
    if (error instanceof AppError && error.code === "storage_error") throw error;
    // Refused files end through completion itself (the upload is `failed`); what it gave
    // back as `uploading` (parts missing, a wrong size) expires below.
  }
  const current = await getUpload(db, { userId: upload.userId, uploadId: upload.id });
  return current?.status !== "uploading";
}

async function removeFromStorage(upload: OpenUpload): Promise<void> {
  if (!(await isOwnedKey(upload.userId, upload.key, "expired upload"))) return;
  if (upload.method === "multipart" && upload.storageUploadId) {
    try {
      await abortMultipartUpload(upload.key, upload.storageUploadId);
    } catch (error) {
      if (storageErrorName(error) !== "NoSuchUpload" && (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) {
        throw error;
      }
    }
  }
  // A PUT cut off mid-body, or an object of the wrong size, must not outlive its upload.
  await deleteObject(upload.key);
}
