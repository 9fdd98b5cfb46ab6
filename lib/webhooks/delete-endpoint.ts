import { notFound } from "@/lib/api/errors";
import { asUser, type UserClaims } from "@/lib/db/as-user";
import { deleteEndpoint } from "./endpoint-rows";

/** Removes an endpoint with its delivery log; deliveries still retrying stop at their next attempt. */
export async function deleteEndpointOrThrow(claims: UserClaims, endpointId: string): Promise<void> {
  const deleted = await asUser(claims, (tx) => deleteEndpoint(tx, { userId: claims.sub, endpointId }));
  if (!deleted) throw notFound("That webhook endpoint");
}
