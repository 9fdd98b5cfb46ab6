import { AppError, notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { deleteUploadParts, markUploadAborted } from "@/lib/db/queries/uploads";
import { log } from "@/lib/log";
import { transitionProject } from "@/lib/projects/transitions";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { deleteObject } from "@/lib/storage/objects";
import { isOwnedKey } from "@/lib/storage/owned-keys";
import { getUploadOrThrow } from "./get-upload-or-throw";
import { storageErrorName } from "./storage-errors";

export type AbortUploadDeps = {
  abortMultipart: typeof abortMultipartUpload;
  deleteObject: typeof deleteObject;
};

const defaultDeps: AbortUploadDeps = { abortMultipart: abortMultipartUpload, deleteObject };

/**
 * Cancels an upload. Storage goes first: if it cannot abort, nothing here changes (the
 * manifest stays, the call answers 502 and can be retried). The row is locked meanwhile,
 * so a completion claim cannot slip in between the storage abort and the status change.
 * Cancelling an upload that is already over (aborted, expired, failed) does nothing.
 * The server's connection writes it, every query filtered by the signed-in owner.
 */
export async function abortUpload(
  params: { claims: UserClaims; uploadId: string },
  deps: AbortUploadDeps = defaultDeps,
): Promise<void> {
  const userId = params.claims.sub;
  await db().begin(async (tx) => {
    const upload = await getUploadOrThrow(tx, { userId, uploadId: params.uploadId, lock: "update" });
    if (upload.status === "aborted" || upload.status === "expired" || upload.status === "failed") return;
    if (upload.status === "completing" || upload.status === "completed") {
      throw new AppError(
        "conflict",
        upload.status === "completed"
          ? "This upload is already complete; delete the project to remove the video."
          : "This upload is being completed and can no longer be cancelled; delete the project instead.",
        { status: upload.status },
      );
    }
    // The key comes from a row: storage is touched only for a key the server made for this person.
    if (!(await isOwnedKey(userId, upload.key, "upload abort"))) throw notFound("That upload");
    try {
      if (upload.method === "multipart") await deps.abortMultipart(upload.key, upload.storageUploadId!);
      // A single PUT may already have landed: remove it so nothing is left behind.
      else await deps.deleteObject(upload.key);
    } catch (error) {
      // Storage no longer knowing the multipart upload means there is nothing left to abort.
      if (storageErrorName(error) !== "NoSuchUpload") {
        log.warn("upload_abort_storage_failed", { uploadId: upload.id, error });
        throw new AppError("storage_error", "Storage did not confirm the cancellation. Nothing was changed; try again.");
      }
    }
    await markUploadAborted(tx, { userId, uploadId: upload.id });
    await deleteUploadParts(tx, { userId, uploadId: upload.id });
    await transitionProject(tx, {
      projectId: upload.projectId,
      userId,
      from: ["uploading"],
      to: "canceled",
      event: { kind: "upload_aborted", message: "Upload cancelled.", data: { uploadId: upload.id } },
    });
  });
}
