import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { bucket, storage } from "./client";

const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PARTS = 10_000;

/**
 * One part size for the whole upload: R2 requires every part but the last to be equal.
 * Starts from the configured size and grows (in whole MiB) only when the file would
 * otherwise need more than S3's 10,000 parts.
 */
export function choosePartSize(size: number, preferred: number): { partSize: number; partCount: number } {
  let partSize = Math.max(preferred, MIN_PART_SIZE);
  if (Math.ceil(size / partSize) > MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

export function partLength(size: number, partSize: number, partNumber: number): number {
  const start = (partNumber - 1) * partSize;
  return Math.max(0, Math.min(partSize, size - start));
}

export async function createMultipartUpload(key: string, contentType: string): Promise<string> {
  const result = await storage().send(
    new CreateMultipartUploadCommand({ Bucket: bucket(), Key: key, ContentType: contentType }),
  );
  if (!result.UploadId) throw new Error("storage did not return an UploadId");
  return result.UploadId;
}

export async function uploadPart(params: {
  key: string;
  storageUploadId: string;
  partNumber: number;
  body: Buffer;
}): Promise<string> {
  const result = await storage().send(
    new UploadPartCommand({
      Bucket: bucket(),
      Key: params.key,
      UploadId: params.storageUploadId,
      PartNumber: params.partNumber,
      Body: params.body,
      ContentLength: params.body.length,
    }),
  );
  if (!result.ETag) throw new Error(`storage returned no ETag for part ${params.partNumber}`);
  return result.ETag;
}

/**
 * Completes a multipart upload. S3 can answer 200 with an <Error> document in the body;
 * the SDK surfaces that as a thrown error, and a response without the object's ETag is
 * treated the same way so that no caller mistakes it for success.
 */
export async function completeMultipartUpload(params: {
  key: string;
  storageUploadId: string;
  parts: { partNumber: number; etag: string }[];
}): Promise<void> {
  const result = await storage().send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket(),
      Key: params.key,
      UploadId: params.storageUploadId,
      MultipartUpload: {
        Parts: [...params.parts]
          .sort((a, b) => a.partNumber - b.partNumber)
          .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
      },
    }),
  );
  if (!result.ETag && !result.Key) throw new Error("storage did not confirm the completed upload");
}

export async function abortMultipartUpload(key: string, storageUploadId: string): Promise<void> {
  await storage().send(new AbortMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId: storageUploadId }));
}

/** Open multipart uploads under a prefix; null where the storage does not support listing them. */
export async function listOpenMultipartUploads(
  prefix: string,
): Promise<{ key: string; storageUploadId: string; initiated?: Date }[] | null> {
  try {
    const out: { key: string; storageUploadId: string; initiated?: Date }[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await storage().send(
        new ListMultipartUploadsCommand({
          Bucket: bucket(),
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const u of page.Uploads ?? []) {
        if (u.Key && u.UploadId) out.push({ key: u.Key, storageUploadId: u.UploadId, initiated: u.Initiated });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return out;
  } catch {
    return null;
  }
}
