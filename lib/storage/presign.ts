import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { bucket, signingStorage } from "./client";
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

export async function presignGet(params: {
  key: string;
  expiresInSeconds: number;
  downloadName?: string;
}): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucket(),
    Key: params.key,
    ...(params.downloadName
      ? { ResponseContentDisposition: `attachment; filename="${params.downloadName.replace(/"/g, "")}"` }
      : {}),
  });
  return getSignedUrl(signingStorage(), command, { expiresIn: params.expiresInSeconds });
}
