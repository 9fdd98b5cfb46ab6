import { z } from "zod";
import { notFound } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import { getUpload, type UploadRow } from "@/lib/db/queries/uploads";

const uuid = z.uuid();

/** An upload id from a URL path; anything that is not a UUID names no upload (404). */
export function parseUploadId(value: string | undefined): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw notFound("That upload");
  return parsed.data;
}

/** The user's upload, or 404 — also when it exists but belongs to someone else. */
export async function getUploadOrThrow(
  db: Db,
  params: { userId: string; uploadId: string; lock?: "share" | "update" },
): Promise<UploadRow> {
  const upload = await getUpload(db, params);
  if (!upload) throw notFound("That upload");
  return upload;
}
