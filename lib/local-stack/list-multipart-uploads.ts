import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { FilesystemStore } from "./multipart-objects";

type KoaContext = { method: string; path: string; query: Record<string, unknown>; status: number; type: string; body: unknown };
export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

type OpenUpload = { key: string; uploadId: string; initiated: Date };

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);

/** The multipart uploads s3rver holds open: one folder per upload id, with the key it was started for. */
async function openUploads(store: FilesystemStore, bucket: string): Promise<OpenUpload[]> {
  const root = store.getResourcePath(bucket, undefined, "uploads");
  const ids = await readdir(root).catch(() => [] as string[]);
  const uploads = await Promise.all(
    ids.map(async (uploadId): Promise<OpenUpload | null> => {
      const keyFile = path.join(root, uploadId, "key");
      try {
        const [key, stats] = await Promise.all([readFile(keyFile, "utf8"), stat(keyFile)]);
        return { key, uploadId, initiated: stats.mtime };
      } catch {
        return null; // completed or aborted while being listed
      }
    }),
  );
  return uploads
    .filter((u): u is OpenUpload => u !== null)
    .sort((a, b) => (a.key === b.key ? a.uploadId.localeCompare(b.uploadId) : a.key < b.key ? -1 : 1));
}

/**
 * s3rver answers ListMultipartUploads (GET /<bucket>?uploads) with 501; R2 and S3 list the
 * open uploads, and the reconciler's orphan sweep needs that to abort the ones no row
 * knows. This lists them the way S3 does: by key then upload id, filtered by `prefix`,
 * paged by `key-marker`/`upload-id-marker` and `max-uploads` (1000 at most).
 */
export function listMultipartUploads(store: FilesystemStore, bucket: string): KoaMiddleware {
  return async (ctx, next) => {
    if (ctx.method !== "GET" || !("uploads" in ctx.query) || ctx.path.replace(/\/$/, "") !== `/${bucket}`) return next();
    const text = (name: string) => (typeof ctx.query[name] === "string" ? (ctx.query[name] as string) : "");
    const prefix = text("prefix");
    const keyMarker = text("key-marker");
    const uploadIdMarker = text("upload-id-marker");
    const maxUploads = Math.min(1000, Math.max(0, Number(text("max-uploads") || 1000) || 0));

    const after = (u: OpenUpload) =>
      !keyMarker || u.key > keyMarker || (u.key === keyMarker && uploadIdMarker !== "" && u.uploadId > uploadIdMarker);
    const matching = (await openUploads(store, bucket)).filter((u) => u.key.startsWith(prefix) && after(u));
    const page = matching.slice(0, maxUploads);
    const truncated = matching.length > page.length;
    const last = page.at(-1);

    ctx.status = 200;
    ctx.type = "application/xml";
    ctx.body = [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
      `<Bucket>${escapeXml(bucket)}</Bucket>`,
      `<KeyMarker>${escapeXml(keyMarker)}</KeyMarker>`,
      `<UploadIdMarker>${escapeXml(uploadIdMarker)}</UploadIdMarker>`,
      truncated && last ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker>` : "",
      truncated && last ? `<NextUploadIdMarker>${escapeXml(last.uploadId)}</NextUploadIdMarker>` : "",
      `<Prefix>${escapeXml(prefix)}</Prefix>`,
      `<MaxUploads>${maxUploads}</MaxUploads>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      ...page.map(
        (u) =>
          `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${escapeXml(u.uploadId)}</UploadId>` +
          `<Initiator><ID>S3RVER</ID><DisplayName>S3RVER</DisplayName></Initiator>` +
          `<Owner><ID>S3RVER</ID><DisplayName>S3RVER</DisplayName></Owner>` +
          `<StorageClass>STANDARD</StorageClass><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`,
      ),
      `</ListMultipartUploadsResult>`,
    ].join("");
  };
}
