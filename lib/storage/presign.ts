import { GetObjectCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { bucket, signingStorage } from "./client";

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
  const command = new PutObjectCommand({
    Bucket: bucket(),
    Key: params.key,
    ContentType: params.contentType,
    ContentLength: params.contentLength,
  });
  return getSignedUrl(signingStorage(), command, {
    expiresIn: params.expiresInSeconds,
    signableHeaders: new Set(["content-type", "content-length"]),
  });
}

export async function presignUploadPart(params: {
  key: string;
  storageUploadId: string;
  partNumber: number;
  contentLength: number;
  expiresInSeconds: number;
}): Promise<string> {
  const command = new UploadPartCommand({
    Bucket: bucket(),
    Key: params.key,
    UploadId: params.storageUploadId,
    PartNumber: params.partNumber,
    ContentLength: params.contentLength,
  });
  return getSignedUrl(signingStorage(), command, {
    expiresIn: params.expiresInSeconds,
    signableHeaders: new Set(["content-length"]),
  });
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
