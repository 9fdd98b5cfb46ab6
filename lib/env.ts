import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";
import ipaddr from "ipaddr.js";

// The one place that reads process.env. The settings are parsed once, on first use (never
// when a module is imported, so `next build` loads every route without a database or keys),
// and kept for the life of the process; the server parses them as it starts
// (lib/start/on-server-start.ts), so a missing or unsafe setting stops the start, named.

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const optionalChoice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), z.enum(values).optional());

const MiB = 1024 * 1024;

const windowUnits = { s: 1, m: 60, h: 3600 } as const;

// "<count>/<window>", e.g. 10/1m: at most <count> requests in a window that starts at the first.
const rateLimit = (fallback: string) =>
  z.preprocess(
    (v) => (v === "" || v === undefined ? fallback : v),
    z.string().transform((value, ctx) => {
      const match = /^(\d+)\/(\d+)([smh])$/.exec(value.trim());
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        ctx.addIssue({ code: "custom", message: `must be <count>/<window> such as ${fallback} (window in s, m or h), not "${value}"` });
        return z.NEVER;
      }
      return { points: Number(match[1]), windowSeconds: Number(match[2]) * windowUnits[match[3] as keyof typeof windowUnits] };
    }),
  );

/** The upload page's part PUTs in flight per file when UPLOAD_PARALLEL_PARTS is not set. */
export const UPLOAD_PARALLEL_PARTS_DEFAULT = 6;

const server = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  APP_URL: z.url().default("http://localhost:3000"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // The address the server listens on: HOSTNAME for Next.js's standalone server (and what
  // to pass `next start --hostname`), HOST for `npm run dev`. Read only to judge who can
  // reach the server (unsafeModeIssues).
  HOSTNAME: optionalString,
  HOST: optionalString,

  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (Postgres connection string)"),
  DATABASE_POOL_SIZE: int(10),

  AUTH_MODE: optionalChoice(["supabase", "local"]),
  // Passwordless local sign-in in a production build, for a server only this machine can
  // reach (a test run, a benchmark): see localSignInStaysOnThisMachine.
  ALLOW_LOCAL_AUTH_IN_PRODUCTION: optionalChoice(["loopback-only"]),
  SUPABASE_URL: optionalString.pipe(z.url().optional()),
  SUPABASE_ANON_KEY: optionalString,
  SUPABASE_JWT_SECRET: optionalString,
  SUPABASE_JWKS_URL: optionalString.pipe(z.url().optional()),

  R2_ENDPOINT: z.url({ error: "R2_ENDPOINT is required (S3 API endpoint of the bucket)" }),
  R2_PUBLIC_ENDPOINT: optionalString.pipe(z.url().optional()),
  R2_REGION: z.string().default("auto"),
  R2_ACCESS_KEY_ID: z.string().min(1, "R2_ACCESS_KEY_ID is required"),
  R2_SECRET_ACCESS_KEY: z.string().min(1, "R2_SECRET_ACCESS_KEY is required"),
  R2_BUCKET: z.string().min(3, "R2_BUCKET is required"),
  R2_FORCE_PATH_STYLE: bool,

  INNGEST_MODE: optionalChoice(["cloud", "dev", "embedded"]),
  INNGEST_EVENT_KEY: optionalString,
  INNGEST_SIGNING_KEY: optionalString,
  INNGEST_DEV_SERVER_URL: z.url().default("http://127.0.0.1:8288"),

  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_PRICE_PRO: optionalString,
  STRIPE_API_HOST: optionalString,
  STRIPE_API_PORT: z.coerce.number().int().positive().optional(),
  STRIPE_API_PROTOCOL: z.enum(["http", "https"]).optional(),

  UPLOAD_SINGLE_PUT_MAX_BYTES: int(64 * MiB),
  UPLOAD_PART_SIZE_BYTES: z.coerce.number().int().min(5 * MiB, "UPLOAD_PART_SIZE_BYTES must be at least 5 MiB (the S3 minimum)").default(16 * MiB),
  UPLOAD_URL_TTL_SECONDS: int(15 * 60),
  // Part PUTs the upload page keeps in flight for one large file. Six is a browser's
  // HTTP/1.1 connection limit per origin (storage is its own origin); more only queue.
  UPLOAD_PARALLEL_PARTS: z.coerce.number().int().min(1).max(16).default(UPLOAD_PARALLEL_PARTS_DEFAULT),
  UPLOAD_EXPIRY_HOURS: int(24),

  // How many process-video and import-url runs at once (in all, and per person), and
  // process-video's retries: part of the functions' definitions (inngest/functions/).
  PROCESSING_CONCURRENCY: int(4),
  PROCESSING_CONCURRENCY_PER_USER: int(2),
  PROCESSING_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  FFMPEG_PATH: optionalString,
  FFPROBE_PATH: optionalString,
  FFMPEG_PRESET: z
    .enum(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"])
    .default("veryfast"),
  FFMPEG_TIMEOUT_SECONDS: int(30 * 60),
  // Bounds on one ffmpeg/ffprobe run over untrusted media (see lib/media/run-media-tool.ts).
  FFMPEG_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  FFMPEG_MEMORY_LIMIT_MB: z.coerce.number().int().min(64).default(1024),
  MEDIA_MAX_PIXELS: int(4096 * 2304),
  OUTPUT_MAX_BYTES: int(20 * 1024 * MiB),
  CLIP_COUNT: z.coerce.number().int().min(0).max(10).default(3),
  DELETE_ORIGINAL_AFTER_PROCESSING: bool,
  MEDIA_TEMP_DIR: optionalString,

  IMPORT_ALLOWED_HOSTS: optionalString,
  IMPORT_CONNECT_TIMEOUT_SECONDS: int(10),
  IMPORT_TOTAL_TIMEOUT_SECONDS: int(60 * 60),
  // A link that stops sending bytes for this long is given up (a trickle of nothing
  // would otherwise hold an import slot until the total time limit).
  IMPORT_STALL_SECONDS: int(60),

  WEBHOOK_ALLOWED_HOSTS: optionalString,
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().default(15),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().positive().default(5),

  RECONCILE_CRON: z.string().default("*/5 * * * *"),
  RECONCILE_STALL_MINUTES: int(30),
  RECONCILE_ORPHAN_GRACE_HOURS: int(24),

  RATE_LIMIT_SIGN_IN: rateLimit("10/1m"),
  RATE_LIMIT_UPLOADS: rateLimit("60/1h"),
  RATE_LIMIT_IMPORTS: rateLimit("30/1h"),
  RATE_LIMIT_WEBHOOK_ENDPOINTS: rateLimit("20/1h"),
  RATE_LIMIT_RETRIES: rateLimit("30/1h"),
  SSE_STREAMS_PER_USER: int(8),
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
};

// Beyond each setting on its own: combinations that are unsafe or incomplete.
function settingsSchema(shape: typeof server) {
  return z.object(shape).superRefine((v, ctx) => {
    for (const { setting, message } of unsafeModeIssues(v)) ctx.addIssue({ code: "custom", path: [setting], message });
    if (v.STRIPE_SECRET_KEY) {
      for (const name of ["STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_PRO"] as const) {
        if (!v[name]) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `${name} is required when STRIPE_SECRET_KEY is set (billing needs the webhook signing secret and the Pro price id)`,
          });
        }
      }
    }
  });
}

type ModeSettings = {
  NODE_ENV?: string;
  APP_URL?: string;
  HOSTNAME?: string;
  HOST?: string;
  AUTH_MODE?: "supabase" | "local";
  ALLOW_LOCAL_AUTH_IN_PRODUCTION?: "loopback-only";
  SUPABASE_URL?: string;
  SUPABASE_ANON_KEY?: string;
  SUPABASE_JWT_SECRET?: string;
  INNGEST_MODE?: "cloud" | "dev" | "embedded";
  INNGEST_EVENT_KEY?: string;
  INNGEST_SIGNING_KEY?: string;
};

// The one place each mode is derived. Nothing unsafe is ever chosen by omission: local
// sign-in needs AUTH_MODE=local, and a production start without Inngest keys runs jobs
// nowhere rather than in an unsigned endpoint (unsafeModeIssues refuses that start).
export function deriveAuthMode(v: ModeSettings): "supabase" | "local" | undefined {
  if (v.SUPABASE_URL) return "supabase";
  return v.AUTH_MODE === "local" ? "local" : undefined;
}

export function deriveInngestMode(v: ModeSettings): "cloud" | "dev" | "embedded" {
  if (v.INNGEST_MODE) return v.INNGEST_MODE;
  if (v.INNGEST_EVENT_KEY || v.NODE_ENV === "production") return "cloud";
  return "embedded";
}

/** A host name or address that reaches only this machine (bare, or as a URL writes it). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost") return true;
  // ipaddr.js reads every spelling of an address (0:0:0:0:0:0:0:1, ::ffff:127.0.0.1, …).
  return ipaddr.isValid(name) && ipaddr.process(name).range() === "loopback";
}

function isLoopbackOrigin(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

// Local sign-in in production only when the operator asks for it by name, names a loopback
// address the server listens on, and APP_URL is on loopback too (a proxy in front would make
// a loopback-bound server public again). A loopback APP_URL alone proves nothing: it is the
// default, and `next start` listens on every interface unless told otherwise.
function localSignInStaysOnThisMachine(v: ModeSettings): boolean {
  const listening = [v.HOSTNAME, v.HOST].filter((host): host is string => Boolean(host));
  return (
    v.ALLOW_LOCAL_AUTH_IN_PRODUCTION === "loopback-only" &&
    listening.length > 0 &&
    listening.every(isLoopbackHost) &&
    isLoopbackOrigin(v.APP_URL)
  );
}

/**
 * Why the jobs may not run through the Inngest Dev Server with the app listening on `host`,
 * if they may not: the Dev Server does not sign its requests, so the jobs endpoint runs
 * whatever reaches it without a browser's Origin, and only loopback keeps that to this machine.
 */
export function devServerModeRefusal(host: string | undefined): string | undefined {
  if (host === undefined || isLoopbackHost(host)) return undefined;
  return `The Inngest Dev Server mode (INNGEST_MODE=dev, which npm run dev also picks when inngest-cli is installed) is refused with HOST=${host}: the Dev Server does not sign its requests, so anyone who can reach the app could run its jobs. Set INNGEST_MODE=embedded to run the jobs in-process, or leave HOST on 127.0.0.1`;
}

/** Combinations of settings that would let someone in where they don't belong. */
export function unsafeModeIssues(v: ModeSettings): { setting: string; message: string }[] {
  const issues: { setting: string; message: string }[] = [];
  const production = v.NODE_ENV === "production";
  const authMode = deriveAuthMode(v);
  if (v.SUPABASE_URL && v.AUTH_MODE === "local") {
    issues.push({ setting: "AUTH_MODE", message: "AUTH_MODE=local conflicts with SUPABASE_URL: choose Supabase Auth or local sign-in, not both" });
  }
  if (!authMode) {
    issues.push({
      setting: "SUPABASE_URL",
      message:
        "SUPABASE_URL is required (with SUPABASE_ANON_KEY): sign-in goes through Supabase Auth. For local development only, AUTH_MODE=local turns on passwordless local sign-in (npm run dev sets it)",
    });
  }
  if (authMode === "supabase" && !v.SUPABASE_ANON_KEY) {
    issues.push({ setting: "SUPABASE_ANON_KEY", message: "SUPABASE_ANON_KEY is required with SUPABASE_URL (the sign-in page uses it)" });
  }
  if (authMode === "local" && !v.SUPABASE_JWT_SECRET) {
    issues.push({ setting: "SUPABASE_JWT_SECRET", message: "SUPABASE_JWT_SECRET is required with AUTH_MODE=local (it signs local sessions)" });
  }
  if (authMode === "local" && production && !localSignInStaysOnThisMachine(v)) {
    issues.push({
      setting: "AUTH_MODE",
      message:
        "AUTH_MODE=local (passwordless sign-in) is refused in production: anyone who can reach the server could sign in as anyone. Set SUPABASE_URL and SUPABASE_ANON_KEY. Only for a server that listens on loopback alone (a test run on this machine): ALLOW_LOCAL_AUTH_IN_PRODUCTION=loopback-only, with HOSTNAME=127.0.0.1 (and `next start --hostname 127.0.0.1`) and APP_URL on loopback",
    });
  }

  const inngestMode = deriveInngestMode(v);
  if (inngestMode === "cloud") {
    for (const name of ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const) {
      if (!v[name]) {
        issues.push({
          setting: name,
          message: production && !v.INNGEST_MODE
            ? `${name} is required in production (Inngest Cloud runs the jobs); to run jobs inside this one server instead, set INNGEST_MODE=embedded (the self-hosting mode)`
            : `${name} is required for Inngest Cloud`,
        });
      }
    }
  }
  if (inngestMode === "dev" && production) {
    issues.push({ setting: "INNGEST_MODE", message: "INNGEST_MODE=dev is for local development only: the Dev Server does not sign its requests" });
  }
  const devServerRefusal = inngestMode === "dev" ? devServerModeRefusal(v.HOST) : undefined;
  if (devServerRefusal) issues.push({ setting: "HOST", message: devServerRefusal });
  return issues;
}

export type Env = z.infer<ReturnType<typeof settingsSchema>> & {
  authMode: "supabase" | "local";
  inngestMode: "cloud" | "dev" | "embedded";
  billingEnabled: boolean;
};

export class EnvError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "EnvError";
  }
}

function throwEnvError(issues: readonly { message: string; path?: readonly (PropertyKey | { key: PropertyKey })[] }[]): never {
  throw new EnvError(
    issues.map((issue) => {
      const name = (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".");
      return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
    }),
  );
}

/** Only the settings in the schema are read from `source`. */
function pick<K extends string>(names: readonly K[], source: Record<string, string | undefined>): Record<K, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, source[name]])) as Record<K, string | undefined>;
}

/** Parses and checks settings from `source`; throws EnvError naming each bad or missing one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const v = createEnv({
    server,
    runtimeEnv: pick(Object.keys(server) as (keyof typeof server)[], source),
    createFinalSchema: settingsSchema,
    onValidationError: throwEnvError,
  });
  return {
    ...v,
    // unsafeModeIssues refused the parse when no auth mode could be derived.
    authMode: deriveAuthMode(v) as Env["authMode"],
    inngestMode: deriveInngestMode(v),
    billingEnabled: Boolean(v.STRIPE_SECRET_KEY),
  };
}

// Settings a test or a command sets for this process (setEnvForProcess), laid over
// process.env without changing it, and the parsed settings. Kept on globalThis: Next.js
// bundles instrumentation.ts and the routes separately, each with its own copy of this
// module, and tests reload modules (vi.resetModules); one process parses once.
const globalForEnv = globalThis as unknown as {
  clipcrafterEnvOverrides?: Record<string, string | undefined>;
  clipcrafterEnv?: Env;
};

/**
 * The variables the settings are parsed from: process.env with this process's overrides,
 * as a copy. For a child process's environment (pass it explicitly), and for what runs
 * before the settings are complete (the local stack's set-up, the media tools check).
 */
export function envSource(): Record<string, string> {
  const source: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...globalForEnv.clipcrafterEnvOverrides })) {
    if (value !== undefined) source[name] = value;
  }
  return source;
}

/**
 * One variable as envSource() would give it, without copying the whole environment (each
 * read of process.env crosses into C++): for what asks on every media tool run.
 */
export function envValue(name: string): string | undefined {
  const overrides = globalForEnv.clipcrafterEnvOverrides;
  return overrides && name in overrides ? overrides[name] : process.env[name];
}

/** This process's settings, parsed on first use; throws EnvError naming each bad or missing one. */
export function env(): Env {
  globalForEnv.clipcrafterEnv ??= parseEnv(envSource());
  return globalForEnv.clipcrafterEnv;
}

/**
 * For tests and commands: settings for this process, over process.env (which stays as it
 * is, so a child process gets only what it is given). `undefined` unsets one.
 */
export function setEnvForProcess(values: Record<string, string | undefined>): void {
  globalForEnv.clipcrafterEnvOverrides = { ...globalForEnv.clipcrafterEnvOverrides, ...values };
  globalForEnv.clipcrafterEnv = undefined;
}

/**
 * What next.config.ts reads while Next.js loads its configuration, `next build` included:
 * only these, so a build needs no database, storage or keys (the server checks the rest
 * when it starts).
 */
export function buildEnv(): { APP_URL: string } {
  return createEnv({ server: { APP_URL: server.APP_URL }, runtimeEnv: pick(["APP_URL"], envSource()), onValidationError: throwEnvError });
}
