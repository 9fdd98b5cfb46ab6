import postgres from "postgres";

// Query results with their column names in camelCase — `postgres.toCamel`, the column half
// of `postgres.camel` — so queries select columns by their own names, without hand-written
// `as "camelCase"` aliases. Applied per query rather than as the client's `transform`: SQL
// outside lib/db/queries (the migration runner, the tests' own checks) keeps reading columns
// as Postgres names them, and keys inside json values (ffprobe's report, event payloads) are
// never renamed, which `postgres.camel`'s value transform would do.

export function camelRow<T>(row: postgres.Row): T {
  const renamed: Record<string, unknown> = {};
  for (const column of Object.keys(row)) renamed[postgres.toCamel(column)] = row[column];
  return renamed as T;
}

export function camelRows<T>(rows: readonly postgres.Row[]): T[] {
  return rows.map((row) => camelRow<T>(row));
}

/** The first row in camelCase, or null when there is none. */
export function firstCamelRow<T>(rows: readonly postgres.Row[]): T | null {
  return rows[0] ? camelRow<T>(rows[0]) : null;
}
