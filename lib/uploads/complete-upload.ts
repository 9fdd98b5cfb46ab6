import { AppError } from "@/lib/api/errors";
import { formatBytes } from "@/lib/format";
import { db } from "@/lib/db/client";
import {
  claimUploadForCompletion,
  listUploadParts,
  markUploadCompleted,
  markUploadFailed,
  releaseUploadClaim,
  upsertUploadParts,
  type UploadRow,
} from "@/lib/db/queries/uploads";
import { sendEvent } from "@/lib/jobs/send-event";
import { log } from "@/lib/log";
import { deliverOutboxEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { failProject } from "@/lib/projects/transitions";
import { completeMultipartUpload, partLength } from "@/lib/storage/multipart";
import { deleteOwnedObjects, headObject } from "@/lib/storage/objects";
import { getUploadOrThrow } from "./get-upload-or-throw";
import { queueVerifiedSource } from "./queue-verified-source";
import { normalizeEtag } from "./record-part";
import type { VideoContainer } from "./sniff-container";
import { PART_LIST_REJECTED, storageErrorName } from "./storage-errors";
import { notAVideoMessage, verifyStoredVideo } from "./verify-stored-video";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";

// Completion writes the outbox, which only the server may write, so it runs on the
// server's connection rather than as the user; every query still filters by owner.

export type CompletionStatus = "queued" | "alreadyProcessing" | "alreadyComplete";
export type CompleteUploadResult = { projectId: string; status: CompletionStatus };
export type CompleteUploadDeps = {
  send: typeof sendEvent;
  now: () => Date;
  /** Take over a claim made before this (default: older than the lease); the reconciler after a restart knows its holder died. */
  staleClaimBefore?: Date;
};

const defaultDeps: CompleteUploadDeps = { send: sendEvent, now: () => new Date() };

/** A claim older than this is taken over by the next call: its holder died mid-way. */
export const COMPLETION_CLAIM_LEASE_MS = 10 * 60_000;

type Claim = { upload: UploadRow; claimedAt: Date };

const containerNames: Record<VideoContainer, string> = {
  "iso-bmff": "MP4/MOV",
  quicktime: "QuickTime",
  webm: "WebM",
  matroska: "Matroska",
  avi: "AVI",
};

/**
 * Completes an upload exactly once, however many times and however concurrently it is
 * called. An atomic claim picks one caller; the others answer with the current state.
 * The claimer assembles the object (multipart), verifies it (exists, declared size, a real
 * video container), then in one transaction marks the project `queued` with an outbox row,
 * and only then sends `video/process`. Anything that goes wrong before that commit either
 * gives the claim back (a retry can fix it) or fails the upload visibly (it cannot).
 */
export async function completeUpload(
  params: { userId: string; uploadId: string; parts?: { partNumber: number; etag: string }[] },
  deps: CompleteUploadDeps = defaultDeps,
): Promise<CompleteUploadResult> {
  const sql = db();
  const upload = await getUploadOrThrow(sql, { userId: params.userId, uploadId: params.uploadId });
  if (upload.method === "multipart" && params.parts) assertPartsInRange(upload, params.parts);

  // A claim released between our attempt and our read leaves the upload claimable again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimedAt = deps.now();
    const claimed = await claimUploadForCompletion(sql, {
      userId: params.userId,
      uploadId: upload.id,
      claimedAt,
      staleClaimBefore: deps.staleClaimBefore ?? new Date(claimedAt.getTime() - COMPLETION_CLAIM_LEASE_MS),
    });
    if (claimed) {
      // The parts the browser lists are kept with the claim: if this process dies before
      // the commit, the reconciler can finish the upload from the manifest alone.
      if (claimed.method === "multipart" && params.parts?.length) await keepListedParts(claimed, params.parts);
      return finishClaimedUpload({ upload: claimed, claimedAt }, params.parts, deps);
    }
    const current = await getUploadOrThrow(sql, { userId: params.userId, uploadId: upload.id });
    const answer = answerForUnclaimable(current);
    if (answer) return answer;
  }
  return { projectId: upload.projectId, status: "alreadyProcessing" };
}

async function keepListedParts(upload: UploadRow, parts: { partNumber: number; etag: string }[]): Promise<void> {
  await upsertUploadParts(db(), {
    userId: upload.userId,
    uploadId: upload.id,
    parts: [...new Map(parts.map((p) => [p.partNumber, p])).values()].map((p) => ({
      partNumber: p.partNumber,
      etag: normalizeEtag(p.etag),
      size: partLength(upload.size, upload.partSize!, p.partNumber),
    })),
  });
}

function assertPartsInRange(upload: UploadRow, parts: { partNumber: number }[]): void {
  const beyond = parts.find((p) => p.partNumber > upload.partCount!);
  if (beyond) {
    throw new AppError("validation_failed", `Part ${beyond.partNumber} does not exist: this upload has ${upload.partCount} parts.`, {
      field: "parts",
    });
  }
}

/** What a caller that did not win the claim is told: the current state, or why it cannot be completed. */
function answerForUnclaimable(upload: UploadRow): CompleteUploadResult | null {
  switch (upload.status) {
    case "completing":
      return { projectId: upload.projectId, status: "alreadyProcessing" };
    case "completed":
      return { projectId: upload.projectId, status: "alreadyComplete" };
    case "failed":
      throw new AppError(
        upload.errorCode === "not_a_video" ? "not_a_video" : "conflict",
        upload.errorMessage ?? "This upload failed. Start a new upload.",
      );
    case "aborted":
      throw new AppError("conflict", "This upload was cancelled. Start a new upload.");
    case "expired":
      throw new AppError("conflict", "This upload expired before it was completed. Start a new upload.");
    case "uploading":
      return null;
  }
}

async function finishClaimedUpload(
  claim: Claim,
  requestParts: { partNumber: number; etag: string }[] | undefined,
  deps: CompleteUploadDeps,
): Promise<CompleteUploadResult> {
  const { upload, claimedAt } = claim;
  let event: OutboxEvent | null;
  try {
    if (upload.method === "multipart") await assembleMultipart(claim, requestParts);
    const check = await verifyStoredVideo(upload.key, { expectedSize: upload.size });
    if (!check.ok) {
      if (check.problem === "not_a_video") {
        const message = notAVideoMessage(check.looksLike);
        await failClaimedUpload(claim, "not_a_video", message, { deleteObject: true });
        throw new AppError("not_a_video", message);
      }
      if (check.problem === "size_mismatch" && upload.method === "multipart") {
        // The parts are consumed by the assembly; no retry can change the object now.
        const message = `The assembled file is ${check.size} bytes but the upload declared ${upload.size}. Upload the video again.`;
        await failClaimedUpload(claim, "size_mismatch", message, { deleteObject: true });
        throw new AppError("conflict", message, { size: check.size, declared: upload.size });
      }
      if (check.problem === "changed") {
        throw new AppError(
          "upload_incomplete",
          "The file in storage was replaced while it was being checked. Finish uploading it, then complete again.",
          { problem: "changed" },
        );
      }
      throw new AppError(
        "upload_incomplete",
        check.problem === "missing"
          ? "The file is not in storage yet. Finish uploading it, then complete again."
          : `Storage holds ${check.size} bytes but the upload declared ${upload.size}. Upload the file again, then complete again.`,
        check.problem === "missing" ? { problem: "missing" } : { problem: "size_mismatch", size: check.size, declared: upload.size },
      );
    }
    const completedAt = deps.now();
    event = await db().begin(async (tx) => {
      const stillOurs = await markUploadCompleted(tx, { userId: upload.userId, uploadId: upload.id, claimedAt, completedAt });
      // A caller that took over a stale claim finished first.
      if (!stillOurs) return null;
      return queueVerifiedSource(tx, {
        projectId: upload.projectId,
        userId: upload.userId,
        key: upload.key,
        verified: { etag: check.etag, size: check.size },
        receivedAt: completedAt,
        message: `Upload verified: ${formatBytes(check.size)}, ${containerNames[check.container]}. Queued for processing.`,
        data: { uploadId: upload.id, size: check.size, container: check.container, brand: check.brand },
      });
    });
  } catch (error) {
    // Never leave the upload in `completing`: give the claim back so a retry (or the
    // reconciler) can finish. A no-op when the upload was already failed above.
    await releaseUploadClaim(db(), { userId: upload.userId, uploadId: upload.id, claimedAt }).catch((releaseError: unknown) =>
      log.error("upload_claim_release_failed", { uploadId: upload.id, error: releaseError }),
    );
    throw error;
  }
  if (!event) return { projectId: upload.projectId, status: "alreadyComplete" };
  // The project is queued and the event is in the outbox: a failed send is the reconciler's
  // to resend, not the client's problem.
  await deliverOutboxEvent(event, deps.send).catch((error: unknown) =>
    log.warn("upload_event_delivery_failed", { uploadId: upload.id, eventId: event.id, error }),
  );
  return { projectId: upload.projectId, status: "queued" };
}

async function assembleMultipart(claim: Claim, requestParts: { partNumber: number; etag: string }[] | undefined): Promise<void> {
  const { upload } = claim;
  const parts = requestParts ?? (await listUploadParts(db(), { userId: upload.userId, uploadId: upload.id }));
  const have = new Set(parts.map((p) => p.partNumber));
  const missing: number[] = [];
  for (let n = 1; n <= upload.partCount!; n++) if (!have.has(n)) missing.push(n);
  if (missing.length > 0) {
    throw new AppError(
      "upload_incomplete",
      `${missing.length} of ${upload.partCount} parts have not been uploaded yet (first missing: part ${missing[0]}). Upload them, then complete again.`,
      { missingParts: missing.slice(0, 100) },
    );
  }
  try {
    await completeMultipartUpload({
      key: upload.key,
      storageUploadId: upload.storageUploadId!,
      parts: parts.map((p) => ({ partNumber: p.partNumber, etag: normalizeEtag(p.etag) })),
    });
  } catch (error) {
    // An earlier completion may have assembled the object in storage and then stopped
    // before recording it; storage then no longer knows the multipart upload.
    const existing = await headObject(upload.key).catch(() => null);
    if (existing && existing.size === upload.size) return;
    const code = storageErrorName(error);
    if (code && PART_LIST_REJECTED.has(code)) {
      throw new AppError(
        "upload_incomplete",
        "Storage rejected the list of parts (a part is missing or differs from what was uploaded). Upload the parts again, then complete again.",
        { storageError: code },
      );
    }
    if (code === "NoSuchUpload") {
      const message = "Storage no longer has this upload's parts (it expired or was cancelled there). Upload the video again.";
      await failClaimedUpload(claim, "upload_lost", message, { deleteObject: false });
      throw new AppError("conflict", message);
    }
    log.warn("upload_assembly_failed", { uploadId: upload.id, error });
    throw new AppError("storage_error", "Storage could not assemble the uploaded parts. Nothing was lost; complete again in a moment.");
  }
}

/** Ends an upload that no retry can fix: upload `failed`, project `error` with the reason, object removed. */
async function failClaimedUpload(
  claim: Claim,
  code: string,
  message: string,
  options: { deleteObject: boolean },
): Promise<void> {
  const { upload, claimedAt } = claim;
  await db().begin(async (tx) => {
    const ours = await markUploadFailed(tx, { userId: upload.userId, uploadId: upload.id, claimedAt, code, message });
    if (ours) await failProject(tx, { projectId: upload.projectId, userId: upload.userId, code, message, data: { uploadId: upload.id } });
  });
  await sendStatusChangeEvents({ projectId: upload.projectId, userId: upload.userId });
  if (options.deleteObject) {
    await deleteOwnedObjects(upload.userId, [upload.key], "refused upload").catch((error: unknown) =>
      log.warn("refused_upload_delete_failed", { uploadId: upload.id, key: upload.key, error }),
    );
  }
}
