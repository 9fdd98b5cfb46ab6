import { AppError } from "@/lib/api/errors";
import type { Sql } from "@/lib/db/client";
import { log } from "@/lib/log";
import { transitionProject } from "@/lib/projects/transitions";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { deleteObject } from "@/lib/storage/objects";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { storageErrorName } from "@/lib/uploads/storage-errors";
import { openUploadColumns, uploadLooksFinished } from "./complete-finished-uploads";
import type { ReconcileDeps, ReconcileSettings } from "./types";

export const UPLOAD_EXPIRED_MESSAGE =
  "Upload expired: the file was not finished before the upload's deadline. Upload the video again.";

type ExpiredUpload = {
  id: string;
  userId: string;
  projectId: string;
  key: string;
  size: number;
  method: "single" | "multipart";
  partCount: number | null;
  receivedParts: number;
  receivedBytes: number;
  storageUploadId: string | null;
};

/**
 * (b) Uploads past their expiry: the upload URLs have expired with them, so nothing more
 * can arrive and every one of them ends now, whatever storage holds. One whose bytes are
 * all there is completed (it may still end in `error` if the file is refused); any other —
 * nothing stored, a single PUT cut off mid-body, a completion refused as incomplete — has
 * its multipart upload aborted and its partial object removed in storage first (so nothing
 * lingers and costs money), then is marked `expired` and the project says so. A storage
 * call that fails leaves the upload for the next run.
 */
export async function expireAbandonedUploads(
  db: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ expired: number; completed: number; abortFailures: number }> {
  const now = deps.now();
  const candidates = await db<ExpiredUpload[]>`
    select ${openUploadColumns(db)}, u.storage_upload_id as "storageUploadId"
    from uploads u where u.status = 'uploading' and u.expires_at < ${now}
    order by u.expires_at limit ${settings.batchSize}`;

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
      const rows = await tx`update uploads set status = 'expired' where id = ${upload.id} and status = 'uploading' returning id`;
      if (rows.length === 0) return false;
      await tx`delete from upload_parts where upload_id = ${upload.id}`;
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
async function completeIfFinished(db: Sql, upload: ExpiredUpload, deps: ReconcileDeps): Promise<boolean> {
  if (!(await uploadLooksFinished(upload))) return false;
  try {
    await completeUpload({ userId: upload.userId, uploadId: upload.id }, { send: deps.send, now: deps.now });
  } catch (error) {
    if (error instanceof AppError && error.code === "storage_error") throw error;
    // Refused files end through completion itself (the upload is `failed`); what it gave
    // back as `uploading` (parts missing, a wrong size) expires below.
  }
  const [row] = await db<{ status: string }[]>`select status from uploads where id = ${upload.id}`;
  return row?.status !== "uploading";
}

async function removeFromStorage(upload: ExpiredUpload): Promise<void> {
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
