import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { env } from "@/lib/env";
import type { MediaInput } from "@/lib/media/media-input";
import { bucket, storage } from "@/lib/storage/client";
import { putObject } from "@/lib/storage/objects";
import { assertOwnedKey } from "@/lib/storage/owned-keys";

// ffmpeg reads stored objects over a signed GET instead of a downloaded copy: it streams
// and range-reads only what it needs (a thumbnail reads a few hundred KB of a large
// file), and its protocol whitelist can then be just http(s). Signed with the server's
// own endpoint (R2_ENDPOINT), which the server can reach, not the browser-facing one.

/** Long enough for the slowest ffmpeg run that may read it; S3 signatures last 7 days at most. */
function readUrlLifetimeSeconds(): number {
  return Math.min(env().FFMPEG_TIMEOUT_SECONDS + 15 * 60, 7 * 24 * 3600);
}

/**
 * A signed GET ffmpeg reads `key` through; only for a key the server made for `ownerId`.
 * With `ifMatch`, `If-Match` is a signed header: every request ffmpeg makes (it opens a
 * new range request on each seek) must carry it, and storage answers 412 once the key
 * holds another object, so nothing but the object with that ETag is ever read.
 */
export async function storedMedia(ownerId: string, key: string, options: { ifMatch?: string } = {}): Promise<MediaInput> {
  await assertOwnedKey(ownerId, key, "media read by processing");
  const url = await getSignedUrl(storage(), new GetObjectCommand({ Bucket: bucket(), Key: key, IfMatch: options.ifMatch }), {
    expiresIn: readUrlLifetimeSeconds(),
    ...(options.ifMatch ? { signableHeaders: new Set(["if-match"]) } : {}),
  });
  return options.ifMatch ? { url, headers: { "If-Match": options.ifMatch } } : { url };
}

export async function uploadFile(key: string, path: string, contentType: string): Promise<number> {
  const { size } = await stat(path);
  await putObject(key, createReadStream(path), { contentType, contentLength: size });
  return size;
}
