import type { Readable } from "node:stream";
import { AppError } from "@/lib/api/errors";
import { formatBytes } from "@/lib/format";
import { RequestFailedError } from "@/lib/net/guarded-request";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
} from "@/lib/storage/multipart";

export class DownloadSizeError extends AppError {}

/** The link went quiet mid-body; transient like any network failure (the run retries). */
export class DownloadStalledError extends RequestFailedError {
  constructor(seconds: number) {
    super(`The link stopped sending data for ${seconds} s, so the download was stopped. Check that the link works in a browser, then retry.`);
    this.name = "DownloadStalledError";
  }
}

/**
 * The body's chunks, failing when none arrives within `stallMs` of asking for it. Only
 * the wait for the link counts: while a part goes to storage nothing is read, and a slow
 * storage write is not the link's stall.
 */
async function* chunksWithin(body: Readable, stallMs: number | undefined): AsyncGenerator<Buffer> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    const next = chunks.next();
    let timer: NodeJS.Timeout | undefined;
    const result = stallMs
      ? await Promise.race([
          next,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new DownloadStalledError(Math.round(stallMs / 1000))), stallMs);
          }),
        ]).finally(() => clearTimeout(timer))
      : await next;
    if (result.done) return;
    yield result.value;
  }
}

/**
 * Streams a download into storage as a multipart upload, one part in memory at a time,
 * counting bytes rather than trusting Content-Length: over `maxBytes` it stops at once;
 * a body shorter or longer than the length the server announced is an error. On any
 * failure the multipart upload is aborted, so no partial object is left behind.
 */
export async function streamToStorage(params: {
  body: Readable;
  key: string;
  contentType: string;
  maxBytes: number;
  declaredLength?: number;
  partSize: number;
  /** Fail with DownloadStalledError when the body sends nothing for this long. */
  stallMs?: number;
  onProgress?: (bytes: number) => void;
}): Promise<{ size: number }> {
  const storageUploadId = await createMultipartUpload(params.key, params.contentType);
  const parts: { partNumber: number; etag: string }[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;

  const flush = async () => {
    if (pendingBytes === 0) return;
    const body = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const partNumber = parts.length + 1;
    parts.push({ partNumber, etag: await uploadPart({ key: params.key, storageUploadId, partNumber, body }) });
  };

  try {
    for await (const buffer of chunksWithin(params.body, params.stallMs)) {
      total += buffer.length;
      if (total > params.maxBytes) {
        throw new DownloadSizeError(
          "file_too_large",
          `The file is larger than your plan allows (${formatBytes(params.maxBytes)}).`,
        );
      }
      let offset = 0;
      while (offset < buffer.length) {
        const take = Math.min(params.partSize - pendingBytes, buffer.length - offset);
        pending.push(buffer.subarray(offset, offset + take));
        pendingBytes += take;
        offset += take;
        if (pendingBytes === params.partSize) await flush();
      }
      params.onProgress?.(total);
    }
    if (params.declaredLength !== undefined && total !== params.declaredLength) {
      throw new DownloadSizeError(
        "upload_incomplete",
        `The server sent ${formatBytes(total)} but announced ${formatBytes(params.declaredLength)}; the download is incomplete or corrupt.`,
      );
    }
    if (total === 0) throw new DownloadSizeError("not_a_video", "The link returned an empty file.");
    await flush();
    await completeMultipartUpload({ key: params.key, storageUploadId, parts });
    return { size: total };
  } catch (error) {
    params.body.destroy();
    await abortMultipartUpload(params.key, storageUploadId).catch(() => {});
    throw error;
  }
}
