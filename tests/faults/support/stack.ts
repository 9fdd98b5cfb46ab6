import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { envSource } from "@/lib/env";
import { freePort } from "@/lib/local-stack/ports";

// The stack `npm run dev` runs — Postgres (durable, as dev keeps it), the S3-protocol
// storage and the app in embedded job mode — each as a real process in its own process
// group, on data folders that outlive them, so a fault is a real SIGKILL of the whole
// process and a restart finds what the crash left on disk.

const tsx = path.join(process.cwd(), "node_modules/.bin/tsx");
const here = path.join(process.cwd(), "tests/faults/support");

export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly lines: { text: string; at: number }[],
    private readonly waiters: { pattern: RegExp; resolve: (line: string) => void }[],
  ) {}

  static async start(name: string, script: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string; timeoutMs?: number }) {
    const child = spawn(tsx, [path.join(here, script), ...args], {
      cwd: process.cwd(),
      env: options.env ?? (envSource() as NodeJS.ProcessEnv),
      // Its own process group: SIGKILL to the group takes its children (Postgres's
      // postmaster and backends) with it, as a crash of the machine's process would.
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const log = createWriteStream(options.logFile, { flags: "a" });
    const service = new ServiceProcess(name, child, [], []);
    // stderr is kept too (the app logs errors there), so a failed call can show them.
    child.stderr!.on("data", (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split("\n")) if (line) service.errorLines.push({ text: line, at: Date.now() });
    });
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        service.lines.push({ text: line, at: Date.now() });
        for (const waiter of [...service.waiters]) {
          if (waiter.pattern.test(line)) {
            service.waiters.splice(service.waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    });
    await service.waitForLine(/^READY/, options.timeoutMs ?? 120_000);
    return service;
  }

  /** Resolves with the first line (already printed or to come) that matches. */
  waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l.text));
    if (seen) return Promise.resolve(seen.text);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      const onExit = () => reject(new Error(`${this.name} exited before printing a line matching ${pattern}`));
      this.child.once("exit", onExit);
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          this.child.off("exit", onExit);
          resolve(line);
        },
      });
    });
  }

  /** What the process wrote to stderr, with when. */
  readonly errorLines: { text: string; at: number }[] = [];

  /** Every line (stdout and stderr) printed since `since` that reports an error or warning. */
  problemsSince(since: number): string[] {
    return [...this.lines, ...this.errorLines]
      .filter((l) => l.at >= since && /"level":"(error|warn)"|Error\b/.test(l.text))
      .sort((a, b) => a.at - b.at)
      .map((l) => l.text);
  }

  /** When the first line matching was printed (ms since the epoch). */
  printedAt(pattern: RegExp): number | undefined {
    return this.lines.find((l) => pattern.test(l.text))?.at;
  }

  /** SIGKILL to the process group: no handler, no flush, no goodbye. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
    await exited;
    // The group's other members (Postgres backends) die with it; give the kernel a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  /** A clean stop: stdin closes and the service shuts down; SIGKILL if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => void this.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export type StackPaths = { root: string; postgres: string; storage: string; logs: string };

export class FaultStack {
  postgres!: ServiceProcess;
  storage!: ServiceProcess;
  app: ServiceProcess | undefined;
  readonly env: Record<string, string>;
  appUrl: string;

  private constructor(
    readonly paths: StackPaths,
    private readonly ports: { postgres: number; storage: number; app: number },
  ) {
    this.appUrl = `http://127.0.0.1:${ports.app}`;
    this.env = {
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      APP_URL: "http://localhost:3000",
      DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${ports.postgres}/clipcrafter`,
      SUPABASE_JWT_SECRET: randomBytes(32).toString("hex"),
      R2_ENDPOINT: `http://127.0.0.1:${ports.storage}`,
      R2_ACCESS_KEY_ID: "S3RVER",
      R2_SECRET_ACCESS_KEY: "S3RVER",
      R2_BUCKET: "clipcrafter-faults",
      R2_FORCE_PATH_STYLE: "true",
      INNGEST_MODE: "embedded",
      AUTH_MODE: "local",
    };
  }

  static async create(): Promise<FaultStack> {
    const root = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-faults-"));
    await chmod(root, 0o755); // Postgres runs as its own user and must enter it
    const paths = { root, postgres: path.join(root, "postgres"), storage: path.join(root, "storage"), logs: path.join(root, "logs") };
    await mkdir(paths.logs, { recursive: true });
    return new FaultStack(paths, { postgres: await freePort(), storage: await freePort(), app: await freePort() });
  }

  private log(name: string) {
    return path.join(this.paths.logs, `${name}.log`);
  }

  async startPostgres(): Promise<void> {
    this.postgres = await ServiceProcess.start("postgres", "postgres-process.ts", [this.paths.postgres, String(this.ports.postgres)], {
      logFile: this.log("postgres"),
    });
  }

  async startStorage(): Promise<void> {
    this.storage = await ServiceProcess.start(
      "storage",
      "storage-process.ts",
      [this.paths.storage, String(this.ports.storage), this.env.R2_BUCKET!],
      { logFile: this.log("storage") },
    );
  }

  /** Starts the app; `appEnv` adds settings (a fault point, shorter bounds). Resolves when it listens. */
  async startApp(appEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    this.app = await ServiceProcess.start("app", "app-process.ts", [], {
      env: { ...(envSource() as NodeJS.ProcessEnv), ...this.env, NEXT_RUNTIME: "nodejs", PORT: String(this.ports.app), ...appEnv },
      logFile: this.log("app"),
    });
    return this.app;
  }

  async stopAll(): Promise<void> {
    await this.app?.stop().catch(() => {});
    await this.storage?.stop().catch(() => {});
    await this.postgres?.stop().catch(() => {});
  }

  /** JSON call to the app as a signed-in person. */
  async call(method: string, pathname: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
    const sentAt = Date.now();
    const response = await fetch(`${this.appUrl}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    if (response.status >= 500) {
      // The contract never answers 5xx to these calls: show what the app logged about it,
      // here, since a CI run keeps only its output.
      await new Promise((resolve) => setTimeout(resolve, 200));
      console.error(
        `${method} ${pathname} answered ${response.status} ${text}\nthe app's errors and warnings since:\n` +
          (this.app?.problemsSince(sentAt).join("\n") || "(none)"),
      );
    }
    return { status: response.status, body: parsed };
  }
}
