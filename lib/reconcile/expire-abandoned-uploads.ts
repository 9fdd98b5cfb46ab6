import type { Sql } from "@/lib/db/client";
import { log } from "@/lib/log";
import { transitionProject } from "@/lib/projects/transitions";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { headObject } from "@/lib/storage/objects";
import type { ReconcileDeps, ReconcileSettings } from "./types";

export const UPLOAD_EXPIRED_MESSAGE =
  "Upload expired: the file was not finished before the upload's deadline. Upload the video again.";

function isNoSuchUpload(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchUpload" || e.Code === "NoSuchUpload" || e.$metadata?.httpStatusCode === 404;
}

/**
 * (b) Uploads past their expiry with no object: the multipart upload is aborted in storage
 * first (so no parts linger and cost money), then the upload is marked `expired` and the
 * project says "upload expired". A failed abort leaves both as they were for the next run.
 */
export async function expireAbandonedUploads(
  db: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ expired: number; abortFailures: number }> {
  const now = deps.now();
  const candidates = await db<
    { id: string; userId: string; projectId: string; key: string; method: string; storageUploadId: string | null }[]
  >`
    select id, user_id as "userId", project_id as "projectId", key, method, storage_upload_id as "storageUploadId"
    from uploads where status = 'uploading' and expires_at < ${now}
    order by expires_at limit ${settings.batchSize}`;

  let expired = 0;
  let abortFailures = 0;
  for (const upload of candidates) {
    if (await headObject(upload.key)) continue; // the bytes are there: (a) completes it
    if (upload.method === "multipart" && upload.storageUploadId) {
      try {
        await abortMultipartUpload(upload.key, upload.storageUploadId);
      } catch (error) {
        if (!isNoSuchUpload(error)) {
          abortFailures++;
          log.warn("reconcile_abort_failed", { uploadId: upload.id, error });
          continue;
        }
      }
    }
    const marked = await db.begin(async (tx) => {
      const rows = await tx`update uploads set status = 'expired' where id = ${upload.id} and status = 'uploading' returning id`;
      if (rows.length === 0) return false;
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
  return { expired, abortFailures };
}
