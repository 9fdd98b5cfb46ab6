import type { Db } from "@/lib/db/client";

/**
 * For the rest of the transaction: the `authenticated` role with these JWT claims, as
 * PostgREST sets them for each request. One round trip for both: set_config('role', …,
 * true) is SET LOCAL ROLE.
 */
export async function setAuthenticatedClaims(tx: Db, claims: Record<string, unknown>): Promise<void> {
  await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', 'authenticated', true)`;
}
