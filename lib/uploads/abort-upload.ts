import { AppError, notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { claimUploadForAbort, deleteUploadParts, markUploadAborted, releaseUploadClaim, type UploadRow } from "@/lib/db/queries/uploads";
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
  now?: () => Date;
};

const defaultDeps: AbortUploadDeps = { abortMultipart: abortMultipartUpload, deleteObject };

/** Whether the upload is over already (nothing to cancel); throws 409 for one that is being or was completed. */
function alreadyOverOrThrow(upload: UploadRow): boolean {
  if (upload.status === "aborted" || upload.status === "expired" || upload.status === "failed") return true;
  if (upload.status === "completing" || upload.status === "completed") {
    throw new AppError(
      "conflict",
      upload.status === "completed"
        ? "This upload is already complete; delete the project to remove the video."
        : "This upload is being completed and can no longer be cancelled; delete the project instead.",
      { status: upload.status },
    );
  }
  return false;
}

/** How long a cancel waits for a claim held by another call (a second click on Cancel, a completion) to end. */
const OTHER_CLAIM_WAIT_MS = 3000;
const OTHER_CLAIM_POLL_MS = 50;

/**
 * The abort claim's token, or null when the upload is over by now. While another call
 * holds the upload (`completing`: a cancel already under way, or a completion), this waits
 * for it to end, so a repeated cancel answers as the first one does; a completion that
 * gives up leaves the upload claimable again, one that finishes makes it a 409.
 */
async function claimForAbort(ref: { userId: string; uploadId: string }, now: () => Date): Promise<Date | null> {
  const waitUntil = Date.now() + OTHER_CLAIM_WAIT_MS;
  for (;;) {
    const claimedAt = now();
    if (await claimUploadForAbort(db(), { ...ref, claimedAt })) return claimedAt;
    const current = await getUploadOrThrow(db(), ref);
    if (current.status === "completing" && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, OTHER_CLAIM_POLL_MS));
      continue;
    }
    if (current.status !== "uploading" && alreadyOverOrThrow(current)) return null;
    if (Date.now() >= waitUntil) throw new AppError("conflict", "This upload is changing hands; try cancelling again in a moment.");
  }
}

/**
 * Cancels an upload. Storage goes first: if it cannot abort, nothing here changes (the
 * manifest stays, the call answers 502 and can be retried). Meanwhile the upload is held
 * by the claim a completion makes (`completing`), taken before storage is called and
 * without a transaction held open across it, so no completion can slip in between the
 * storage abort and the status change; a failed abort gives the claim back. A process that
 * dies while holding it leaves a stale claim, which completion takes over after its lease
 * (the reconciler does): it finds the parts gone and fails the upload visibly, or, when
 * storage was not reached, completes or expires it as any upload.
 * Cancelling an upload that is already over (aborted, expired, failed) does nothing.
 * The server's connection writes it, every query filtered by the signed-in owner.
 */
export async function abortUpload(
  params: { claims: UserClaims; uploadId: string },
  deps: AbortUploadDeps = defaultDeps,
): Promise<void> {
  const userId = params.claims.sub;
  const upload = await getUploadOrThrow(db(), { userId, uploadId: params.uploadId });
  // A claim held by another call is waited out below, not refused here.
  if (upload.status !== "completing" && alreadyOverOrThrow(upload)) return;
  // The key comes from a row: storage is touched only for a key the server made for this person.
  if (!(await isOwnedKey(userId, upload.key, "upload abort"))) throw notFound("That upload");

  const ref = { userId, uploadId: upload.id };
  const claimedAt = await claimForAbort(ref, deps.now ?? (() => new Date()));
  if (!claimedAt) return;
  try {
    if (upload.method === "multipart") await deps.abortMultipart(upload.key, upload.storageUploadId!);
    // A single PUT may already have landed: remove it so nothing is left behind.
    else await deps.deleteObject(upload.key);
  } catch (error) {
    // Storage no longer knowing the multipart upload means there is nothing left to abort.
    if (storageErrorName(error) !== "NoSuchUpload") {
      log.warn("upload_abort_storage_failed", { uploadId: upload.id, error });
      await releaseUploadClaim(db(), { ...ref, claimedAt });
      throw new AppError("storage_error", "Storage did not confirm the cancellation. Nothing was changed; try again.");
    }
  }
  await db().begin(async (tx) => {
    if (!(await markUploadAborted(tx, { ...ref, claimedAt }))) return;
    await deleteUploadParts(tx, ref);
    await transitionProject(tx, {
      projectId: upload.projectId,
      userId,
      from: ["uploading"],
      to: "canceled",
      event: { kind: "upload_aborted", message: "Upload cancelled.", data: { uploadId: upload.id } },
    });
  });
}
