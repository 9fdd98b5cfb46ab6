import type { Db } from "@/lib/db/client";
import { upsertLocalUser } from "@/lib/db/queries/users";

/** Local mode: the same email always maps to the same user (auth.users is the local stand-in). */
export async function findOrCreateLocalUser(db: Db, email: string): Promise<{ id: string; email: string }> {
  return upsertLocalUser(db, email.trim().toLowerCase());
}
