import type { Db } from "@/lib/db/client";

/** Local mode: the same email always maps to the same user (auth.users is the local stand-in). */
export async function findOrCreateLocalUser(db: Db, email: string): Promise<{ id: string; email: string }> {
  const normalized = email.trim().toLowerCase();
  const [user] = await db<{ id: string; email: string }[]>`
    insert into auth.users (email) values (${normalized})
    on conflict (email) do update set email = excluded.email
    returning id, email`;
  return user!;
}
