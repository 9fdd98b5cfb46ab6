import { getObjectRange, headObject } from "@/lib/storage/objects";
import { describeNonVideo, sniffContainer, SNIFF_BYTES, type VideoContainer } from "./sniff-container";

export type StoredVideoCheck =
  | { ok: true; size: number; container: VideoContainer; brand?: string }
  | { ok: false; problem: "missing" }
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
 * Shared by upload completion and URL import.
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
  const first = head.size === 0 ? Buffer.alloc(0) : await reader.readRange(key, 0, Math.min(SNIFF_BYTES, head.size) - 1);
  const sniffed = sniffContainer(first);
  if (!sniffed) return { ok: false, problem: "not_a_video", looksLike: describeNonVideo(first) };
  return { ok: true, size: head.size, ...sniffed };
}

export function notAVideoMessage(looksLike: string): string {
  return (
    `This file is not a video we can process: it looks like ${looksLike}. ` +
    "Upload the video file itself (MP4, MOV, M4V, WebM, MKV or AVI)."
  );
}
