import { AppError } from "@/lib/api/errors";
import { EARLIEST_TIME, latestTime } from "./schemas";

// The list's page cursor: the (createdAt, id) of the last project on the previous page,
// opaque to clients so the ordering can change without breaking them.

export type ProjectCursor = { createdAt: Date; id: string };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeProjectCursor(cursor: ProjectCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

export function decodeProjectCursor(value: string): ProjectCursor {
  const [at, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  const time = createdAt.getTime();
  if (!id || !uuid.test(id) || Number.isNaN(time) || time < EARLIEST_TIME || time > latestTime()) {
    throw new AppError("bad_request", "The page cursor is not valid. Start again from the first page.");
  }
  return { createdAt, id };
}
