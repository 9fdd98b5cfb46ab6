import type { OpenMultipartUpload } from "@/lib/db/queries/uploads";
import { log } from "@/lib/log";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { storageErrorName } from "./storage-errors";

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
