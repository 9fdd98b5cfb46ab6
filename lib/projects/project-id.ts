import { notFound } from "@/lib/api/errors";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A project id from a URL: anything that is not a UUID cannot name a project, so it is a 404. */
export function parseProjectId(value: string): string {
  if (!uuid.test(value)) throw notFound("That project");
  return value.toLowerCase();
}
