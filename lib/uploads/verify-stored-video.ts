import { getObjectRange, headObject, isPreconditionFailed } from "@/lib/storage/objects";
import { describeNonVideo, sniffContainer, SNIFF_BYTES, type VideoContainer } from "./sniff-container";

export type StoredVideoCheck =
  | { ok: true; size: number; etag: string; container: VideoContainer; brand?: string }
  | { ok: false; problem: "missing" }
  | { ok: false; problem: "changed" }
  | { ok: false; problem: "size_mismatch"; size: number }
  | { ok: false; problem: "not_a_video"; looksLike: string };

export type StorageReader = {
  head: typeof headObject;
  readRange: typeof getObjectRange;
};

const storageReader: StorageReader = { head: headObject, readRange: getObjectRange };

/**
 * Checks an object in storage before anything is built on it: it exists, has the size
 * the client declared (when one was declared), and starts like a real video container.
 * Shared by upload completion and URL import. The answer is about one object, the one
 * with the ETag the HEAD saw (the sniff reads with `If-Match` it): that ETag and size are
 * what processing later holds storage to. An object replaced mid-check is `changed`.
 */
export async function verifyStoredVideo(
  key: string,
  options: { expectedSize?: number } = {},
  reader: StorageReader = storageReader,
): Promise<StoredVideoCheck> {
  const head = await reader.head(key);
  if (!head) return { ok: false, problem: "missing" };
  if (options.expectedSize !== undefined && head.size !== options.expectedSize) {
    return { ok: false, problem: "size_mismatch", size: head.size };
  }
  if (!head.etag) throw new Error(`storage gave no ETag for ${key}`);
  let first: Buffer;
  try {
    first = head.size === 0 ? Buffer.alloc(0) : await reader.readRange(key, 0, Math.min(SNIFF_BYTES, head.size) - 1, { ifMatch: head.etag });
  } catch (error) {
    if (isPreconditionFailed(error)) return { ok: false, problem: "changed" };
    throw error;
  }
  const sniffed = sniffContainer(first);
  if (!sniffed) return { ok: false, problem: "not_a_video", looksLike: describeNonVideo(first) };
  return { ok: true, size: head.size, etag: head.etag, ...sniffed };
}

export function notAVideoMessage(looksLike: string): string {
  return (
    `This file is not a video we can process: it looks like ${looksLike}. ` +
    "Upload the video file itself (MP4, MOV, M4V, WebM, MKV or AVI)."
  );
}
