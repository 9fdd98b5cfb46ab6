import type { Db } from "@/lib/db/client";

/** Throws when the database cannot answer a query. */
export async function pingDatabase(db: Db): Promise<void> {
  await db`select 1`;
}
