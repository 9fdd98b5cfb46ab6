import { GetObjectCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl, S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
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

type PresignableRequest = Parameters<S3RequestPresigner["presign"]>[0];

// The SDK's query-string encoding (RFC 3986), so batch-signed URLs match getSignedUrl's exactly.
const escapeUri = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function formatSignedUrl(request: PresignableRequest): string {
  const query = Object.keys(request.query ?? {})
    .sort()
    .map((name) => `${escapeUri(name)}=${escapeUri(String(request.query![name]))}`)
    .join("&");
  return `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}${request.path}?${query}`;
}

/**
 * Presigned URLs for many parts of one multipart upload, each with its Content-Length
 * signed. getSignedUrl resolves the endpoint rules and rebuilds the middleware stack on
 * every call, several times the cost of the signature itself; here the first part goes
 * through it and the others reuse its endpoint and only sign — the same URLs, byte for byte.
 */
export async function presignUploadParts(params: {
  key: string;
  storageUploadId: string;
  parts: { partNumber: number; contentLength: number }[];
  expiresInSeconds: number;
}): Promise<string[]> {
  const [first, ...rest] = params.parts;
  if (!first) return [];
  const firstUrl = await presignUploadPart({ ...params, partNumber: first.partNumber, contentLength: first.contentLength });
  const endpoint = new URL(firstUrl);
  const [, , signingRegion, signingService] = (endpoint.searchParams.get("X-Amz-Credential") ?? "").split("/");
  const presigner = new S3RequestPresigner({ ...signingStorage().config, region: signingRegion!, signingName: signingService });
  const others = await Promise.all(
    rest.map(async (part) => {
      const signed = await presigner.presign(
        {
          method: "PUT",
          protocol: endpoint.protocol,
          hostname: endpoint.hostname,
          port: endpoint.port ? Number(endpoint.port) : undefined,
          path: endpoint.pathname,
          query: { "x-id": "UploadPart", partNumber: String(part.partNumber), uploadId: params.storageUploadId },
          headers: { "content-length": String(part.contentLength) },
        },
        {
          expiresIn: params.expiresInSeconds,
          signableHeaders: new Set(["content-length"]),
          signingRegion,
          signingService,
        },
      );
      return formatSignedUrl(signed);
    }),
  );
  return [firstUrl, ...others];
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
