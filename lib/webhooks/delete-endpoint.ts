import { notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { deleteEndpoint } from "@/lib/db/queries/webhook-endpoints";

/**
 * Removes an endpoint with its delivery log; deliveries still retrying stop at their next
 * attempt. Through the server's connection (people may only read their endpoints), filtered
 * by the owner.
 */
export async function deleteEndpointOrThrow(claims: UserClaims, endpointId: string): Promise<void> {
  const deleted = await deleteEndpoint(db(), { userId: claims.sub, endpointId });
  if (!deleted) throw notFound("That webhook endpoint");
}
