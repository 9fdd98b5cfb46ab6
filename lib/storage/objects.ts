import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { bucket, storage } from "./client";
import { projectPrefix } from "./keys";
import { isUnderOwnerPrefix, ownedKeys } from "./owned-keys";

export type ObjectHead = { size: number; contentType?: string; etag?: string; lastModified?: Date };

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === "NotFound" || error.name === "NoSuchKey" || error.$metadata.httpStatusCode === 404)
  );
}

/** HEAD of an object, or null when it does not exist. */
export async function headObject(key: string): Promise<ObjectHead | null> {
  try {
    const head = await storage().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    return {
      size: Number(head.ContentLength ?? 0),
      contentType: head.ContentType,
      etag: head.ETag,
      lastModified: head.LastModified,
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Storage refused a conditional read (`If-Match`): the object is no longer the one named. */
export function isPreconditionFailed(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === "PreconditionFailed" || error.$metadata.httpStatusCode === 412)
  );
}

/**
 * Bytes [start, end] inclusive; fewer when the object is shorter. With `ifMatch`, only
 * from the object that has that ETag (412 PreconditionFailed otherwise).
 */
export async function getObjectRange(key: string, start: number, end: number, options: { ifMatch?: string } = {}): Promise<Buffer> {
  const result = await storage().send(
    new GetObjectCommand({ Bucket: bucket(), Key: key, Range: `bytes=${start}-${end}`, IfMatch: options.ifMatch }),
  );
  const bytes = await result.Body?.transformToByteArray();
  return Buffer.from(bytes ?? new Uint8Array());
}

export async function getObjectStream(key: string): Promise<Readable> {
  const result = await storage().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  if (!(result.Body instanceof Readable)) throw new Error(`storage returned no body for ${key}`);
  return result.Body;
}

export async function putObject(
  key: string,
  body: Buffer | Readable,
  options: { contentType: string; contentLength?: number },
): Promise<void> {
  await storage().send(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: key,
      Body: body,
      ContentType: options.contentType,
      ContentLength: options.contentLength ?? (Buffer.isBuffer(body) ? body.length : undefined),
    }),
  );
}

export async function deleteObject(key: string): Promise<void> {
  await storage().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
}

export async function deleteObjects(keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    if (batch.length === 0) continue;
    await storage().send(
      new DeleteObjectsCommand({ Bucket: bucket(), Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
  }
}

export async function listObjects(prefix: string): Promise<{ key: string; size: number; lastModified?: Date }[]> {
  const out: { key: string; size: number; lastModified?: Date }[] = [];
  let token: string | undefined;
  do {
    const page = await storage().send(
      new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key) out.push({ key: item.Key, size: Number(item.Size ?? 0), lastModified: item.LastModified });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Deletes those of `keys` that are the owner's (owned-keys.ts); the rest are logged and left alone. */
export async function deleteOwnedObjects(ownerId: string, keys: readonly string[], purpose: string): Promise<number> {
  const owned = [...(await ownedKeys(ownerId, keys, purpose))];
  await deleteObjects(owned);
  return owned.length;
}

/** Everything under one project's output prefix, built here from the owner and project ids. */
export async function deleteProjectOutputs(ownerId: string, projectId: string): Promise<number> {
  const prefix = projectPrefix(ownerId, projectId);
  // The prefix must be a folder of this owner: an empty or malformed id would widen it.
  if (!isUnderOwnerPrefix(ownerId, `${prefix}x`) || prefix.split("/").length !== 4) {
    throw new Error(`refusing to delete under a malformed project prefix: ${prefix}`);
  }
  return deletePrefix(prefix);
}

export async function deletePrefix(prefix: string): Promise<number> {
  // A listing of "" or "uploads/" would be everyone's objects.
  if (prefix.split("/").filter(Boolean).length < 3) throw new Error(`refusing to delete under a broad prefix: ${prefix}`);
  const objects = await listObjects(prefix);
  await deleteObjects(objects.map((o) => o.key));
  return objects.length;
}
