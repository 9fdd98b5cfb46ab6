import { notFound } from "@/lib/api/errors";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An endpoint id from a URL: anything that is not a UUID cannot name an endpoint, so it is a 404. */
export function parseEndpointId(value: string): string {
  if (!uuid.test(value)) throw notFound("That webhook endpoint");
  return value.toLowerCase();
}
