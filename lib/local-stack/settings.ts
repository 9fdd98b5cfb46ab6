import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv as parseDotenv } from "node:util";
import { envSource } from "@/lib/env";

export const localStackDefaults = {
  appPort: 3000,
  postgresPort: 54329,
  storagePort: 4568,
  bucket: "clipcrafter",
  database: "clipcrafter",
  dataDir: path.join(process.cwd(), ".clipcrafter"),
} as const;

/**
 * Where `npm run dev` keeps the local stack's data (Postgres, storage, the local signing
 * secret): CLIPCRAFTER_DATA_DIR, else .clipcrafter/ in the project. A test can start a
 * second, throwaway stack beside a developer's without touching their data.
 */
export function localDataDir(settings: Record<string, string | undefined>): string {
  return settings.CLIPCRAFTER_DATA_DIR ? path.resolve(settings.CLIPCRAFTER_DATA_DIR) : localStackDefaults.dataDir;
}

/** Settings from .env and .env.local, overridden by the process environment. */
export function readSettings(): Record<string, string | undefined> {
  const fromFiles: Record<string, string> = {};
  for (const name of [".env", ".env.local"]) {
    const file = path.join(process.cwd(), name);
    if (existsSync(file)) Object.assign(fromFiles, parseDotenv(readFileSync(file, "utf8")));
  }
  return { ...fromFiles, ...envSource() };
}

/** What `npm run dev` fills in for the local stack, for commands run beside it (doctor, reconcile). */
export function localStackSettings(settings: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  // The address npm run dev serves the app at (its storage allows that origin for uploads).
  if (!settings.APP_URL) out.APP_URL = `http://localhost:${settings.PORT ?? localStackDefaults.appPort}`;
  if (!settings.DATABASE_URL) {
    const port = settings.POSTGRES_PORT ?? String(localStackDefaults.postgresPort);
    out.DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/${localStackDefaults.database}`;
  }
  if (!settings.R2_ENDPOINT) {
    Object.assign(out, {
      R2_ENDPOINT: `http://127.0.0.1:${settings.STORAGE_PORT ?? localStackDefaults.storagePort}`,
      R2_ACCESS_KEY_ID: "S3RVER",
      R2_SECRET_ACCESS_KEY: "S3RVER",
      R2_BUCKET: localStackDefaults.bucket,
      R2_FORCE_PATH_STYLE: "true",
    });
  }
  if (!settings.SUPABASE_URL && !settings.AUTH_MODE) out.AUTH_MODE = "local";
  if (!settings.SUPABASE_URL && !settings.SUPABASE_JWT_SECRET) {
    const file = path.join(localDataDir(settings), "secrets.json");
    if (existsSync(file)) out.SUPABASE_JWT_SECRET = JSON.parse(readFileSync(file, "utf8")).jwtSecret;
  }
  return out;
}
