import type { Db } from "@/lib/db/client";

/** Whether the account a token names still exists (a token outlives a deleted account until it expires). */
export async function userExists(db: Db, userId: string): Promise<boolean> {
  const rows = await db<{ exists: boolean }[]>`select exists (select 1 from auth.users where id = ${userId}) as exists`;
  return rows[0]?.exists === true;
}

/** Local mode's stand-in for sign-up: the user with this email, created the first time. */
export async function upsertLocalUser(db: Db, email: string): Promise<{ id: string; email: string }> {
  const [user] = await db<{ id: string; email: string }[]>`
    insert into auth.users (email) values (${email})
    on conflict (email) do update set email = excluded.email
    returning id, email`;
  return user!;
}
