import { readObjectStart } from "@/lib/storage/objects";
import { describeNonVideo, sniffContainer, SNIFF_BYTES, type VideoContainer } from "./sniff-container";

export type StoredVideoCheck =
  | { ok: true; size: number; container: VideoContainer; brand?: string }
  | { ok: false; problem: "missing" }
  | { ok: false; problem: "size_mismatch"; size: number }
  | { ok: false; problem: "not_a_video"; looksLike: string };

/**
 * Checks an object in storage before anything is built on it: it exists, has the size
 * the client declared (when one was declared), and starts like a real video container.
 * Shared by upload completion and URL import. One storage request: a ranged GET of the
 * first bytes, which also carries the object's size.
 */
export async function verifyStoredVideo(key: string, options: { expectedSize?: number } = {}): Promise<StoredVideoCheck> {
  const start = await readObjectStart(key, SNIFF_BYTES);
  if (!start) return { ok: false, problem: "missing" };
  if (options.expectedSize !== undefined && start.size !== options.expectedSize) {
    return { ok: false, problem: "size_mismatch", size: start.size };
  }
  const sniffed = sniffContainer(start.bytes);
  if (!sniffed) return { ok: false, problem: "not_a_video", looksLike: describeNonVideo(start.bytes) };
  return { ok: true, size: start.size, ...sniffed };
}

export function notAVideoMessage(looksLike: string): string {
  return (
    `This file is not a video we can process: it looks like ${looksLike}. ` +
    "Upload the video file itself (MP4, MOV, M4V, WebM, MKV or AVI)."
  );
}
