import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";

type Metadata = Record<string, string | number>;
type Range = { start?: number; end?: number };
type S3Object = { bucket: string; key: string; content: Readable | null; metadata: Metadata; range?: { start: number; end: number } };

// s3rver's FilesystemStore: the methods this module uses or replaces.
export type FilesystemStore = {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Metadata>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  getObject(bucket: string, key: string, options?: Range): Promise<S3Object | null>;
  putObject(object: { bucket: string; key: string }): Promise<{ size: number; md5: string }>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: Metadata): Promise<Metadata>;
  deleteObject(bucket: string, key: string): Promise<void>;
  putObjectMultipart(bucket: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<{ size: number; md5: string }>;
  putPart(bucket: string, uploadId: string, partNumber: string | number, content: Readable): Promise<{ size: number; md5: string }>;
};

type S3ErrorClass = new (code: string, message: string, detail?: Record<string, unknown>) => Error;
type S3ObjectClass = new (bucket: string, key: string, content: Readable | null, metadata: Metadata) => S3Object;
const requireFromS3rver = createRequire(import.meta.url);
const S3Error = requireFromS3rver("s3rver/lib/models/error") as S3ErrorClass;
const S3ObjectModel = requireFromS3rver("s3rver/lib/models/object") as S3ObjectClass;

/** Where a multipart object's parts live, and which of them make the object, in order. */
type PartsManifest = { size: number; parts: { file: string; size: number }[] };
const MANIFEST = "manifest.json";

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/**
 * Multipart objects for s3rver, stored the way object stores keep them (MinIO, S3): as their
 * parts. CompleteMultipartUpload checks the part list as S3 does (`InvalidPart` for a part
 * that is missing or has another ETag), gives the object S3's multipart ETag (MD5 of the
 * part MD5s, then `-<part count>`), and moves the upload's part files under the object —
 * a rename, so completing 1 GiB copies nothing. GET and HEAD read across the parts, ranges
 * included; PUT, DELETE and copy of the key handle both kinds of object. A range of an empty
 * object is refused (416) as S3 refuses it.
 *
 * s3rver itself streams every part through an MD5 of the whole object into a new file, with
 * the parts and the copy on disk side by side: completing 1 GiB (64 × 16 MiB) took 3.5–6.1 s,
 * 3.5–4.7 s of it on its only thread's CPU (every other request waits), against 0.02–0.05 s
 * as parts (measured in /dev/shm and on disk, 2026-12). s3rver 3.7.1 is pinned exactly for
 * this; tests/integration/local-stack/storage-server.test.ts fails if its store changes.
 */
export function storeMultipartObjectsAsParts(store: FilesystemStore): void {
  const partsDir = (bucket: string, key: string) => store.getResourcePath(bucket, key, "object.parts");
  const readManifest = async (bucket: string, key: string): Promise<PartsManifest | null> => {
    try {
      return JSON.parse(await readFile(path.join(partsDir(bucket, key), MANIFEST), "utf8")) as PartsManifest;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  };
  const original = {
    putPart: store.putPart.bind(store),
    getMetadata: store.getMetadata.bind(store),
    getObject: store.getObject.bind(store),
    putObject: store.putObject.bind(store),
    copyObject: store.copyObject.bind(store),
    deleteObject: store.deleteObject.bind(store),
  };

  store.getMetadata = async (bucket, key) => {
    // The object file of a multipart object is an empty marker: it dates the object and lets
    // s3rver's existence checks and listings find it. The size is the parts'.
    const [metadata, manifest] = await Promise.all([original.getMetadata(bucket, key), readManifest(bucket, key)]);
    return manifest ? { ...metadata, "content-length": manifest.size } : metadata;
  };

  store.getObject = async (bucket, key, options) => {
    const manifest = await readManifest(bucket, key);
    if (!manifest) {
      const object = await original.getObject(bucket, key, options);
      // No byte range of an empty object exists: S3 answers 416 InvalidRange, where s3rver
      // would promise one byte and send none, leaving the client waiting.
      if (object?.range && Number(object.metadata["content-length"]) === 0) {
        object.content?.destroy();
        object.content = null;
      }
      return object;
    }
    let metadata: Metadata;
    try {
      // The manifest is read already: its size, without reading it again through getMetadata.
      metadata = { ...(await original.getMetadata(bucket, key)), "content-length": manifest.size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const object = new S3ObjectModel(bucket, key, null, metadata);
    const lastByte = manifest.size - 1;
    const range = { start: options?.start ?? 0, end: Math.min(options?.end ?? Infinity, lastByte) };
    if (options?.start !== undefined || options?.end !== undefined) object.range = range;
    // An unsatisfiable range: no content, which s3rver answers with InvalidRange.
    if (range.start < 0 || range.end < range.start) return object;
    object.content = readParts(partsDir(bucket, key), manifest, range.start, range.end);
    return object;
  };

  store.putObject = async (object) => {
    await rm(partsDir(object.bucket, object.key), { recursive: true, force: true });
    return original.putObject(object);
  };

  store.deleteObject = async (bucket, key) => {
    await rm(partsDir(bucket, key), { recursive: true, force: true });
    return original.deleteObject(bucket, key);
  };

  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const source = partsDir(srcBucket, srcKey);
    const destination = partsDir(destBucket, destKey);
    if (source !== destination) {
      await rm(destination, { recursive: true, force: true });
      if (await readManifest(srcBucket, srcKey)) {
        await mkdir(path.dirname(destination), { recursive: true });
        await cp(source, destination, { recursive: true });
      }
    }
    return original.copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
  };

  // s3rver writes a part for any upload id, creating a folder for an upload that was never
  // started or was aborted (a PUT that arrives after a delete); S3 refuses it.
  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const keyFile = path.join(store.getResourcePath(bucket, undefined, "uploads"), uploadId, "key");
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(keyFile).catch(() => null))) {
      content.resume();
      throw new S3Error(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        { UploadId: uploadId },
      );
    }
    return original.putPart(bucket, uploadId, partNumber, content);
  };

  store.putObjectMultipart = async (bucket, uploadId, parts) => {
    const uploadDir = path.join(store.getResourcePath(bucket, undefined, "uploads"), uploadId);
    const [key, metadata] = await Promise.all([
      readFile(path.join(uploadDir, "key"), "utf8"),
      readFile(path.join(uploadDir, "metadata"), "utf8").then((text) => JSON.parse(text) as Record<string, string>),
    ]).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
      throw new S3Error(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        { UploadId: uploadId },
      );
    });
    const ordered = [...parts].sort((a, b) => a.number - b.number);
    const stored = await Promise.all(
      ordered.map(async (part) => {
        const file = String(part.number);
        const [md5, stats] = await Promise.all([
          readFile(path.join(uploadDir, `${file}.md5`), "utf8").catch(() => null),
          stat(path.join(uploadDir, file)).catch(() => null),
        ]);
        if (md5 === null || stats === null || md5 !== part.etag) {
          throw new S3Error(
            "InvalidPart",
            "One or more of the specified parts could not be found. The part may not have been uploaded, " +
              "or the specified entity tag may not match the part's entity tag.",
            { PartNumber: part.number, ETag: part.etag },
          );
        }
        return { file, size: stats.size, md5: Buffer.from(md5, "hex") };
      }),
    );
    const etag = `${createHash("md5").update(Buffer.concat(stored.map((p) => p.md5))).digest("hex")}-${stored.length}`;
    const manifest: PartsManifest = { size: stored.reduce((sum, p) => sum + p.size, 0), parts: stored.map(({ file, size }) => ({ file, size })) };
    await writeFile(path.join(uploadDir, MANIFEST), JSON.stringify(manifest));

    // The upload's folder becomes the object's parts (one rename); an object it replaces is
    // moved aside first and removed once the new one is in place.
    const objectPath = store.getResourcePath(bucket, key, "object");
    const destination = partsDir(bucket, key);
    const replaced = `${destination}.replaced-${uploadId}`;
    await mkdir(path.dirname(objectPath), { recursive: true });
    await rename(destination, replaced).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    await rename(uploadDir, destination);
    const marker = `${objectPath}.completing-${uploadId}`;
    await writeFile(marker, "");
    await rename(marker, objectPath);
    await store.putMetadata(bucket, key, { ...metadata, "content-type": metadata["content-type"] ?? "binary/octet-stream" }, etag);
    await rm(replaced, { recursive: true, force: true });
    return { size: manifest.size, md5: etag };
  };
}

/** Bytes `start`–`end` (inclusive) of a multipart object, read part by part as the reader asks for them. */
function readParts(dir: string, manifest: PartsManifest, start: number, end: number): Readable {
  async function* chunks() {
    let offset = 0;
    for (const part of manifest.parts) {
      const partStart = offset;
      const partEnd = offset + part.size - 1;
      offset += part.size;
      if (partEnd < start || part.size === 0) continue;
      if (partStart > end) return;
      const from = Math.max(start, partStart) - partStart;
      const to = Math.min(end, partEnd) - partStart;
      yield* createReadStream(path.join(dir, part.file), { start: from, end: to, highWaterMark: 1024 * 1024 });
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
