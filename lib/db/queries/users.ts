import type { Db } from "@/lib/db/client";

/** Whether the account a token names still exists (a token outlives a deleted account until it expires). */
export async function userExists(db: Db, userId: string): Promise<boolean> {
  const rows = await db<{ exists: boolean }[]>`select exists (select 1 from auth.users where id = ${userId}) as exists`;
  return rows[0]?.exists === true;
}
