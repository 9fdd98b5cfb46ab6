import postgres from "postgres";
import { env } from "@/lib/env";

export type Db = postgres.Sql | postgres.TransactionSql;
export type Sql = postgres.Sql;

// One pool per process; cached on globalThis so `next dev` reloads do not leak pools.
const globalForDb = globalThis as unknown as { clipcrafterSql?: postgres.Sql };

export function createSql(url: string, max: number): postgres.Sql {
  return postgres(url, {
    max,
    // Supabase's transaction pooler (port 6543) does not support prepared statements.
    prepare: false,
    onnotice: () => {},
    transform: { undefined: null },
    // Sizes are bytes and stay far below 2^53, so int8 columns read as plain numbers.
    types: {
      int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
    },
  });
}

export function db(): postgres.Sql {
  globalForDb.clipcrafterSql ??= createSql(env().DATABASE_URL, env().DATABASE_POOL_SIZE);
  return globalForDb.clipcrafterSql;
}

export async function closeDb(): Promise<void> {
  const sql = globalForDb.clipcrafterSql;
  globalForDb.clipcrafterSql = undefined;
  await sql?.end({ timeout: 5 });
}
