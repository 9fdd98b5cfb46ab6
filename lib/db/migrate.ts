import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type postgres from "postgres";

const supabaseDir = path.join(process.cwd(), "supabase");

/**
 * Applies supabase/migrations in order and records them where the Supabase CLI does
 * (supabase_migrations.schema_migrations), so a database migrated here and one migrated
 * by `supabase db push` agree on what has been applied. With `localBootstrap`, first
 * creates what a Supabase project already provides (roles, auth schema, auth.uid()).
 */
export async function migrate(
  sql: postgres.Sql,
  options: { localBootstrap: boolean },
): Promise<{ applied: string[] }> {
  if (options.localBootstrap) {
    await sql.unsafe(await readFile(path.join(supabaseDir, "local-bootstrap.sql"), "utf8"));
  }
  await sql.unsafe(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key, statements text[], name text
    );`);

  const files = (await readdir(path.join(supabaseDir, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
  const applied: string[] = [];
  for (const file of files) {
    const [version, ...rest] = file.replace(/\.sql$/, "").split("_");
    const name = rest.join("_");
    const body = await readFile(path.join(supabaseDir, "migrations", file), "utf8");
    await sql.begin(async (tx) => {
      // Serialises concurrent starts (two test workers, two dev servers) on the same database.
      await tx`select pg_advisory_xact_lock(hashtext('clipcrafter-migrations'))`;
      const [done] = await tx`select 1 from supabase_migrations.schema_migrations where version = ${version!}`;
      if (done) return;
      await tx.unsafe(body);
      await tx`insert into supabase_migrations.schema_migrations (version, name, statements) values (${version!}, ${name}, ${[body]})`;
      applied.push(file);
    });
  }
  return { applied };
}

export async function pendingMigrations(sql: postgres.Sql): Promise<string[]> {
  const files = (await readdir(path.join(supabaseDir, "migrations"))).filter((f) => f.endsWith(".sql")).sort();
  const rows = await sql<{ version: string }[]>`
    select version from supabase_migrations.schema_migrations`.catch(() => [] as { version: string }[]);
  const done = new Set(rows.map((r) => r.version));
  return files.filter((f) => !done.has(f.split("_")[0]!));
}
