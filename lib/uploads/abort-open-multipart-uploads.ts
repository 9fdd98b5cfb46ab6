import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { storageErrorName } from "./storage-errors";

export type OpenMultipartUpload = { uploadId: string; key: string; storageUploadId: string };

/** The multipart uploads of a project that storage still holds open (read before its rows go). */
export async function listOpenMultipartUploadsOfProject(
  db: Db,
  params: { userId: string; projectId: string },
): Promise<OpenMultipartUpload[]> {
  return db<OpenMultipartUpload[]>`
    select id as "uploadId", key, storage_upload_id as "storageUploadId" from uploads
    where project_id = ${params.projectId} and user_id = ${params.userId}
      and method = 'multipart' and storage_upload_id is not null and status in ('uploading', 'completing')`;
}

/**
 * Aborts them in storage, so a deleted project's parts do not linger and cost money. Best
 * effort: one that storage does not confirm is left to the reconciler's orphan sweep, which
 * lists open multipart uploads no row knows.
 */
export async function abortOpenMultipartUploads(uploads: OpenMultipartUpload[]): Promise<void> {
  for (const upload of uploads) {
    await abortMultipartUpload(upload.key, upload.storageUploadId).catch((error: unknown) => {
      if (storageErrorName(error) !== "NoSuchUpload") log.warn("multipart_abort_after_delete_failed", { uploadId: upload.uploadId, error });
    });
  }
}
