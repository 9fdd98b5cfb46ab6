import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import S3rver from "s3rver";
import { listMultipartUploads, type KoaMiddleware } from "./list-multipart-uploads";
import { storeMultipartObjectsAsParts, type FilesystemStore } from "./multipart-objects";
import { verifySignatures } from "./verify-signature";

export type LocalStorage = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop: () => Promise<void>;
};

export function corsConfigurationXml(allowedOrigins: string[]): string {
  const origins = allowedOrigins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration>
  <CORSRule>
    ${origins}
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;
}

// s3rver answers AbortMultipartUpload (DELETE ?uploadId=…) with 405; R2 and S3 support it.
// This gives the local server the same behaviour: the parts are dropped (204), or 404
// NoSuchUpload when the upload is unknown.
function abortMultipartUploads(store: FilesystemStore, bucket: string): KoaMiddleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    if (ctx.method !== "DELETE" || typeof uploadId !== "string" || !ctx.path.startsWith(`/${bucket}/`)) return next();
    const uploadDir = path.join(store.getResourcePath(bucket, undefined, "uploads"), uploadId);
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(uploadDir).catch(() => null))) {
      ctx.status = 404;
      ctx.type = "application/xml";
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>`;
      return;
    }
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
  };
}

type ConditionalReadContext = {
  method: string;
  path: string;
  status: number;
  type: string;
  body: unknown;
  get(header: string): string;
  response: { get(header: string): string };
  remove(header: string): void;
};

const etagsIn = (list: string) => list.split(",").map((tag) => tag.trim().replace(/^W\//, ""));

// s3rver ignores If-Match on GET and HEAD; R2 and S3 answer 412 PreconditionFailed when the
// object's ETag is not one listed (processing reads its source only so, to notice an object
// replaced after it was verified). Checked against the ETag of the very object s3rver opened
// to answer, so a PUT landing in between cannot slip through.
function honourIfMatch(bucket: string): KoaMiddleware {
  return async (koa, next) => {
    const ctx = koa as unknown as ConditionalReadContext;
    const ifMatch = ctx.get("if-match");
    if (!ifMatch || (ctx.method !== "GET" && ctx.method !== "HEAD") || !ctx.path.startsWith(`/${bucket}/`)) return next();
    await next();
    if (ctx.status !== 200 && ctx.status !== 206) return;
    const etag = ctx.response.get("ETag");
    if (etagsIn(ifMatch).some((tag) => tag === "*" || tag === etag)) return;
    if (ctx.body instanceof Readable) ctx.body.destroy();
    for (const header of ["ETag", "Last-Modified", "Content-Range", "Accept-Ranges", "Content-Disposition", "Content-Encoding"]) ctx.remove(header);
    ctx.status = 412;
    // A HEAD has no body (setting a null one would turn the status into 204).
    if (ctx.method === "HEAD") return ctx.remove("Content-Length");
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-Match</Condition></Error>`;
  };
}

/**
 * An S3-protocol server (s3rver) on the local filesystem, with the bucket created and a
 * CORS rule that lets the app's origin PUT and read the ETag header, as R2 must be set up.
 * Multipart objects are kept as their parts, as object stores keep them, so completing an
 * upload moves files instead of copying the object (multipart-objects.ts).
 */
export async function startLocalStorage(options: {
  dataDir: string;
  port: number;
  bucket: string;
  allowedOrigins: string[];
  cors?: boolean;
}): Promise<LocalStorage> {
  await mkdir(options.dataDir, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port,
    directory: options.dataDir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [
      {
        name: options.bucket,
        configs: options.cors === false ? [] : [corsConfigurationXml(options.allowedOrigins)],
      },
    ],
  });
  const store = (server as unknown as { store: FilesystemStore }).store;
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  (server as unknown as { middleware: KoaMiddleware[] }).middleware.unshift(
    // First: every request is checked as the client sent it, before anything else answers it.
    verifySignatures({ ...credentials, allowedOrigins: options.cors === false ? [] : options.allowedOrigins }),
    honourIfMatch(options.bucket),
    abortMultipartUploads(store, options.bucket),
    listMultipartUploads(store, options.bucket),
  );
  storeMultipartObjectsAsParts(store);
  await server.run();
  // Node closes an idle keep-alive connection after 5 s; the S3 client may pick that very
  // socket for its next request, and a streamed PUT on it cannot be retried ("socket hang
  // up"). Keeping idle connections longer than clients do, as S3 and R2 do, avoids that race.
  const httpServer = (server as unknown as { httpServer: import("node:http").Server }).httpServer;
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    bucket: options.bucket,
    ...credentials,
    stop: () => server.close(),
  };
}
