import { RateLimiterPostgres } from "rate-limiter-flexible";
import { db } from "@/lib/db/client";

// rate-limiter-flexible keeps its counters in Postgres so every server instance sees the
// same counts. Its store speaks node-postgres's `query({ text, values })` → `{ rows,
// rowCount }`; this adapts the app's postgres.js pool to that instead of opening a second
// pool, and sends each query unnamed: the library names its statements, and Supabase's
// transaction pooler does not keep prepared statements (the pool has `prepare: false`).
// The library's version is pinned, and tests/integration/limits/ exercises it through this.
const storeClient = {
  async query({ text, values }: { text: string; values?: unknown[] }) {
    const rows = await db().unsafe(text, (values ?? []) as never[]);
    return { rows: [...rows], rowCount: rows.count };
  },
};

// Cached per process (on globalThis, so `next dev` reloads reuse them) and per setting, so a
// changed setting takes effect at once.
const globalForLimiters = globalThis as unknown as { clipcrafterRateLimiters?: Map<string, RateLimiterPostgres> };

/** A fixed-window counter: `points` per window of `windowSeconds` (0: never expires), shared by all instances. */
export function postgresLimiter(name: string, points: number, windowSeconds: number): RateLimiterPostgres {
  const limiters = (globalForLimiters.clipcrafterRateLimiters ??= new Map());
  const cacheKey = `${name}:${points}:${windowSeconds}`;
  let limiter = limiters.get(cacheKey);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient,
      storeType: "client",
      schemaName: "rate_limits",
      tableName: "counters",
      // supabase/migrations/20261205040000_rate_limits.sql creates it; the app runs no DDL.
      tableCreated: true,
      // The window is part of the stored key: a count kept under another window (a changed
      // setting, or a process configured otherwise) would carry that window's expiry.
      keyPrefix: `${name}@${windowSeconds}s`,
      points,
      duration: windowSeconds,
    });
    limiters.set(cacheKey, limiter);
  }
  return limiter;
}
