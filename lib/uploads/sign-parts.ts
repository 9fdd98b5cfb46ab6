import { AppError } from "@/lib/api/errors";
import { asUser, type UserClaims } from "@/lib/db/as-user";
import type { UploadRow } from "@/lib/db/queries/uploads";
import { env } from "@/lib/env";
import { partLength } from "@/lib/storage/multipart";
import { assertOwnedKey } from "@/lib/storage/owned-keys";
import { presignPut, presignUploadParts } from "@/lib/storage/presign";
import { getUploadOrThrow } from "./get-upload-or-throw";

export type SignedPart = { partNumber: number; url: string; size: number; headers?: Record<string, string> };

/** Refuses work on an upload that can no longer take bytes, saying why. */
export function assertStillUploading(upload: UploadRow, now: Date): void {
  const reasons: Partial<Record<UploadRow["status"], string>> = {
    completing: "This upload is being completed; it takes no more bytes.",
    completed: "This upload is already complete.",
    aborted: "This upload was cancelled. Start a new upload.",
    expired: "This upload expired before it was completed. Start a new upload.",
    failed: upload.errorMessage ?? "This upload failed. Start a new upload.",
  };
  const reason = reasons[upload.status];
  if (reason) throw new AppError("conflict", reason, { status: upload.status });
  if (upload.expiresAt <= now) {
    throw new AppError("conflict", "This upload expired before it was completed. Start a new upload.", { status: "expired" });
  }
}

/**
 * Presigned URLs for the requested parts, each signed with that part's exact length (all
 * equal but the last). For a single-PUT upload, part 1 is the whole file: this re-signs
 * its PUT URL, e.g. after the first one expired.
 */
export async function signUploadParts(
  params: { claims: UserClaims; uploadId: string; partNumbers: number[] },
  deps: { now: () => Date } = { now: () => new Date() },
): Promise<{ parts: SignedPart[]; expiresAt: string }> {
  const now = deps.now();
  const upload = await asUser(params.claims, (tx) =>
    getUploadOrThrow(tx, { userId: params.claims.sub, uploadId: params.uploadId }),
  );
  assertStillUploading(upload, now);
  // The key comes from a row: signed only if it is one the server made for this person.
  await assertOwnedKey(params.claims.sub, upload.key, "upload URL");
  const partCount = upload.method === "single" ? 1 : upload.partCount!;
  const outOfRange = params.partNumbers.filter((n) => n > partCount);
  if (outOfRange.length > 0) {
    throw new AppError(
      "validation_failed",
      `Part ${outOfRange[0]} does not exist: this upload has ${partCount} part${partCount === 1 ? "" : "s"}.`,
      { field: "partNumbers", partCount },
    );
  }
  const expiresInSeconds = env().UPLOAD_URL_TTL_SECONDS;
  const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000).toISOString();
  if (upload.method === "single") {
    const url = await presignPut({ key: upload.key, contentType: upload.contentType, contentLength: upload.size, expiresInSeconds });
    return { parts: [{ partNumber: 1, url, size: upload.size, headers: { "Content-Type": upload.contentType } }], expiresAt };
  }
  const parts = await signPartUrls({ ...upload, partSize: upload.partSize!, storageUploadId: upload.storageUploadId! }, params.partNumbers, expiresInSeconds);
  return { parts, expiresAt };
}

/** Presigned PUT URLs for parts of a multipart upload, each signed with that part's exact length. */
export async function signPartUrls(
  upload: { key: string; storageUploadId: string; size: number; partSize: number },
  partNumbers: number[],
  expiresInSeconds: number,
): Promise<SignedPart[]> {
  const sized = partNumbers.map((partNumber) => ({ partNumber, contentLength: partLength(upload.size, upload.partSize, partNumber) }));
  const urls = await presignUploadParts({ key: upload.key, storageUploadId: upload.storageUploadId, parts: sized, expiresInSeconds });
  return sized.map((part, i): SignedPart => ({ partNumber: part.partNumber, url: urls[i]!, size: part.contentLength }));
}
