import type postgres from "postgres";
import { db } from "./client";
import { setAuthenticatedClaims } from "./queries/session";

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
    await setAuthenticatedClaims(tx, claims);
    return work(tx);
  }) as Promise<T>;
}
