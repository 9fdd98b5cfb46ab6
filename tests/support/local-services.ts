import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startLocalPostgres } from "@/lib/local-stack/postgres";
import { startLocalStorage } from "@/lib/local-stack/storage-server";
import { freePort } from "@/lib/local-stack/ports";
import { createSql } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";

export type Services = { env: Record<string, string>; stop: () => Promise<void> };

/**
 * A fresh Postgres (migrated, with the local Supabase bootstrap) and a fresh S3-protocol
 * storage server, on free ports under a temporary folder, for one test tier.
 */
export async function startServices(options: { appOrigin: string }): Promise<Services> {
  const root = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-test-"));
  // As root, Postgres runs as the `postgres` system user, which must be able to enter here.
  await chmod(root, 0o755);
  // Removed when the tier ends, so it may skip what makes commits survive a crash.
  const pg = await startLocalPostgres({ dataDir: path.join(root, "postgres"), port: await freePort(), durability: "throwaway" });
  const storage = await startLocalStorage({
    dataDir: path.join(root, "storage"),
    port: await freePort(),
    bucket: "clipcrafter-test",
    allowedOrigins: [options.appOrigin],
  });
  const sql = createSql(pg.url, 2);
  await migrate(sql, { localBootstrap: true });
  await sql.end();

  const env: Record<string, string> = {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    APP_URL: options.appOrigin,
    DATABASE_URL: pg.url,
    AUTH_MODE: "local",
    SUPABASE_JWT_SECRET: randomBytes(32).toString("hex"),
    R2_ENDPOINT: storage.endpoint,
    R2_ACCESS_KEY_ID: storage.accessKeyId,
    R2_SECRET_ACCESS_KEY: storage.secretAccessKey,
    R2_BUCKET: storage.bucket,
    R2_FORCE_PATH_STYLE: "true",
    INNGEST_MODE: "embedded",
  };
  return {
    env,
    stop: async () => {
      await storage.stop().catch(() => {});
      await pg.stop().catch(() => {});
      await rm(root, { recursive: true, force: true }).catch(() => {});
    },
  };
}
