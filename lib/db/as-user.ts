import type postgres from "postgres";
import { db } from "./client";

export type UserClaims = { sub: string; email?: string; role: "authenticated" };

/**
 * Runs `work` in a transaction as the `authenticated` role with the user's JWT claims
 * set — what PostgREST does for each request — so the row-level security policies in
 * supabase/migrations decide what the queries can see and change.
 */
export async function asUser<T>(
  claims: UserClaims,
  work: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return db().begin(async (tx) => {
    // One round trip for both: set_config('role', …, true) is SET LOCAL ROLE, as PostgREST does it.
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', 'authenticated', true)`;
    return work(tx);
  }) as Promise<T>;
}
