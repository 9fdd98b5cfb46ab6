import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { bucket, signingStorage } from "./client";
import { ownedKeys } from "./owned-keys";
import { objectUrlSigner } from "./sign-url";

/**
 * A presigned single PUT. Content-Type and Content-Length are signed, so storage refuses
 * a body of another size or type than the one the server validated.
 */
export async function presignPut(params: {
  key: string;
  contentType: string;
  contentLength: number;
  expiresInSeconds: number;
}): Promise<string> {
  const sign = await objectUrlSigner();
  return sign({
    method: "PUT",
    key: params.key,
    query: { "x-id": "PutObject" },
    headers: { "content-length": String(params.contentLength), "content-type": params.contentType },
    expiresInSeconds: params.expiresInSeconds,
  });
}

export async function presignUploadPart(params: {
  key: string;
  storageUploadId: string;
  partNumber: number;
  contentLength: number;
  expiresInSeconds: number;
}): Promise<string> {
  const [url] = await presignUploadParts({ ...params, parts: [params] });
  return url!;
}

/** Presigned URLs for parts of one multipart upload, each with its Content-Length signed. */
export async function presignUploadParts(params: {
  key: string;
  storageUploadId: string;
  parts: { partNumber: number; contentLength: number }[];
  expiresInSeconds: number;
}): Promise<string[]> {
  if (params.parts.length === 0) return [];
  const sign = await objectUrlSigner();
  return Promise.all(
    params.parts.map((part) =>
      sign({
      method: "PUT",
      key: params.key,
      query: { "x-id": "UploadPart", partNumber: String(part.partNumber), uploadId: params.storageUploadId },
        headers: { "content-length": String(part.contentLength) },
        expiresInSeconds: params.expiresInSeconds,
      }),
    ),
  );
}

function signGet(key: string, expiresInSeconds: number, downloadName?: string): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucket(),
    Key: key,
    ...(downloadName ? { ResponseContentDisposition: `attachment; filename="${downloadName.replace(/"/g, "")}"` } : {}),
  });
  return getSignedUrl(signingStorage(), command, { expiresIn: expiresInSeconds });
}

/**
 * A presigned GET of one of the owner's objects, or null when there is no key or the key
 * is not one the server made for this owner (logged; the person sees no link, not an error).
 */
export async function presignGet(params: {
  ownerId: string;
  key: string | null;
  expiresInSeconds: number;
  downloadName?: string;
}): Promise<string | null> {
  const [url] = await presignGets({ ownerId: params.ownerId, keys: [params.key], expiresInSeconds: params.expiresInSeconds, downloadName: params.downloadName });
  return url ?? null;
}

/** presignGet for several keys of one owner, checked together (one database read at most). */
export async function presignGets(params: {
  ownerId: string;
  keys: (string | null)[];
  expiresInSeconds: number;
  downloadName?: string;
}): Promise<(string | null)[]> {
  const present = params.keys.filter((key): key is string => Boolean(key));
  const owned = present.length > 0 ? await ownedKeys(params.ownerId, present, "presign GET") : new Set<string>();
  return Promise.all(
    params.keys.map((key) => (key && owned.has(key) ? signGet(key, params.expiresInSeconds, params.downloadName) : null)),
  );
}
