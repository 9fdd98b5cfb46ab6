import { log } from "@/lib/log";
import type { MediaInput } from "@/lib/media/media-input";
import { headObject } from "@/lib/storage/objects";
import { ProcessingError } from "./processing-error";
import { storedMedia } from "./stored-media";

// A presigned PUT stays valid after completion until it expires, so the source key can be
// overwritten after the object was verified. Processing reads it only as the object that
// was verified: by its ETag (`If-Match` on every read) and size, checked before and after
// each step that reads it, so a replaced object ends the run in `source_changed` instead of
// being probed, transcoded, or half-read into a short web MP4.

/** The source object as verified: its key, ETag (as storage quotes it) and size. */
export type VerifiedSource = { key: string; etag: string; size: number };

export const SOURCE_CHANGED_MESSAGE =
  "The uploaded file was replaced after it was checked, so it was not processed. Upload the video again.";

export function sourceChanged(source: VerifiedSource, found: { etag?: string; size: number }): ProcessingError {
  return new ProcessingError("source_changed", SOURCE_CHANGED_MESSAGE, {
    verified: { etag: source.etag, size: source.size },
    found: { etag: found.etag ?? null, size: found.size },
  });
}

/** Throws `source_changed` (or `source_missing`) unless storage still holds the verified object. */
export async function assertSourceUnchanged(source: VerifiedSource): Promise<void> {
  const head = await headObject(source.key);
  if (!head) throw new ProcessingError("source_missing", "The uploaded file is no longer in storage. Upload the video again.");
  if (head.etag !== source.etag || head.size !== source.size) throw sourceChanged(source, head);
}

/**
 * Runs `read` on the verified source (a signed GET bound to its ETag). A failure or a
 * success is followed by a look at storage: a read cut short by a 412 may have ended in an
 * error or, to ffmpeg, in an early end of input, and either way the object was replaced.
 * The look before the read only spares starting a tool on an object that is already
 * another (the read is refused either way): `lookFirst: false` leaves it out where an
 * earlier step of the run has looked already.
 */
export async function readVerifiedSource<T>(
  ownerId: string,
  source: VerifiedSource,
  read: (input: MediaInput) => Promise<T>,
  options: { lookFirst?: boolean } = {},
): Promise<T> {
  if (options.lookFirst !== false) await assertSourceUnchanged(source);
  const input = await storedMedia(ownerId, source.key, { ifMatch: source.etag });
  let result: T;
  try {
    result = await read(input);
  } catch (error) {
    await assertSourceUnchanged(source).catch((verdict: unknown) => {
      if (verdict instanceof ProcessingError) throw verdict;
      log.warn("source_recheck_failed", { key: source.key, error: verdict });
    });
    throw error;
  }
  await assertSourceUnchanged(source);
  return result;
}
