import { AppError } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { upsertUploadParts, type UploadPartRow } from "@/lib/db/queries/uploads";
import { partLength } from "@/lib/storage/multipart";
import { getUploadOrThrow } from "./get-upload-or-throw";
import { assertStillUploading } from "./sign-parts";

/** Storage compares ETags without their quotes; the manifest keeps them in one form. */
export function normalizeEtag(etag: string): string {
  return `"${etag.replace(/"/g, "")}"`;
}

/**
 * Records parts the client uploaded (number, ETag, size) in the manifest, one or many at
 * a time; uploading a part again replaces its entry. Each size must be that part's fixed
 * length. Written on the server's connection (people may not write the manifest directly:
 * completion trusts it); the upload is looked up by its owner first.
 */
export async function recordUploadParts(
  params: { claims: UserClaims; uploadId: string; parts: { partNumber: number; etag: string; size: number }[] },
  deps: { now: () => Date } = { now: () => new Date() },
): Promise<UploadPartRow[]> {
  const userId = params.claims.sub;
  return db().begin(async (tx) => {
    // A shared row lock: a completion claim waits until these parts are in the manifest.
    const upload = await getUploadOrThrow(tx, { userId, uploadId: params.uploadId, lock: "share" });
    if (upload.method !== "multipart") {
      throw new AppError("bad_request", "This upload is a single PUT; it has no parts to record. Call complete after the PUT.");
    }
    assertStillUploading(upload, deps.now());
    for (const part of params.parts) {
      if (part.partNumber > upload.partCount!) {
        throw new AppError("validation_failed", `Part ${part.partNumber} does not exist: this upload has ${upload.partCount} parts.`, {
          field: "partNumber",
          partCount: upload.partCount,
        });
      }
      const expected = partLength(upload.size, upload.partSize!, part.partNumber);
      if (part.size !== expected) {
        throw new AppError(
          "validation_failed",
          `Part ${part.partNumber} must be exactly ${expected} bytes (every part but the last is ${upload.partSize} bytes); got ${part.size}.`,
          { field: "size", expected },
        );
      }
    }
    return upsertUploadParts(tx, {
      userId,
      uploadId: upload.id,
      parts: params.parts.map((p) => ({ ...p, etag: normalizeEtag(p.etag) })),
    });
  });
}
