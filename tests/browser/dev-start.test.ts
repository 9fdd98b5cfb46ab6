import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envSource } from "@/lib/env";
import { freePort } from "@/lib/local-stack/ports";
import { listeningAddresses } from "../support/listening-sockets";

// `npm run dev` as a newcomer runs it, on free ports with a throwaway data folder: what it
// prints from the first line to the last must hold no warning, deprecation or error.
// (The browser tier holds the browser lock, which this needs: next dev shares .next/.)

/** Lines that look like trouble. A start-up that prints one of these is not a clean start. */
// Next.js marks its own warnings with "⚠" and not always with the word.
const TROUBLE = /warn|deprecat|EBADENGINE|error|⚠/i;
// The one expected exception: Turbopack times a write to .next/dev in the background and,
// past 200 ms, prints this hint about the disk. On these shared 2-core machines under load
// it can fire; it describes the machine at that moment, not the project.
const MACHINE_HINT = /^⚠ Slow filesystem detected\. The benchmark took \d+ms\./;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm run dev on a machine with the project installed", () => {
  let child: ChildProcess;
  let output = "";
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when every process holding the output pipes has ended: npm and all it started. */
  let allEnded: Promise<void>;
  let dataDir: string;
  let ports: { app: number; postgres: number; storage: number };

  const waitForOutput = async (pattern: RegExp, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`npm run dev exited (${child.exitCode}):\n${output}`);
      if (Date.now() > until) throw new Error(`npm run dev did not print ${pattern} within ${timeoutMs / 1000}s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "clipcrafter-dev-start-"));
    chmodSync(dataDir, 0o755); // embedded Postgres runs as its own user when we are root
    ports = { app: await freePort(), postgres: await freePort(), storage: await freePort() };
    const inherited = envSource();
    // A shell's environment, not the test runner's: no NODE_ENV=test, no service settings.
    const env = {
      PATH: inherited.PATH,
      HOME: inherited.HOME,
      TMPDIR: inherited.TMPDIR,
      LANG: inherited.LANG ?? "C.UTF-8",
      PORT: String(ports.app),
      POSTGRES_PORT: String(ports.postgres),
      STORAGE_PORT: String(ports.storage),
      CLIPCRAFTER_DATA_DIR: dataDir,
      // The Inngest Dev Server, where installed, would want port 8288 for itself.
      INNGEST_MODE: "embedded",
    };
    // Its own process group, so that SIGINT reaches every process in it, as Ctrl-C does.
    child = spawn("npm", ["run", "dev"], {
      cwd: process.cwd(),
      env: env as unknown as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    allEnded = new Promise((resolve) => child.once("close", () => resolve()));
    await waitForOutput(/ClipCrafter is running: /, 300_000);
  });

  afterAll(async () => {
    if (child?.pid && groupAlive(child.pid)) {
      process.kill(-child.pid, "SIGKILL");
      await allEnded;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts, compiles the front door and the sign-in page, listens on 127.0.0.1 only, and stops cleanly on Ctrl-C — printing no warning or error on the way", async () => {
    for (const pathname of ["/", "/sign-in"]) {
      const response = await fetch(`http://127.0.0.1:${ports.app}${pathname}`, { redirect: "manual" });
      expect(response.status, pathname).toBe(200);
      await response.text();
    }
    expect(listeningAddresses(ports.app)).toEqual(["0100007F"]);

    await new Promise((r) => setTimeout(r, 1000)); // let the compile logs of those requests arrive
    process.kill(-child.pid!, "SIGINT");
    const ended = await Promise.race([allEnded.then(() => "ended"), new Promise((r) => setTimeout(() => r("still running"), 60_000))]);
    expect(ended, output).toBe("ended");
    // The last of them (a process the kernel has yet to reap once npm's pipes close) may
    // take a moment; every one must be gone within seconds.
    await expect.poll(() => groupAlive(child.pid!), { timeout: 15_000, interval: 200 }).toBe(false);
    // npm itself ends by the signal it was sent (its way after Ctrl-C); what it ran shut
    // down in order and said so last.
    expect(await exit).toEqual({ code: null, signal: "SIGINT" });
    expect(output.trimEnd().split("\n").at(-1)).toBe("ClipCrafter: stopped.");

    const lines = output.split("\n");
    expect(lines.filter((line) => TROUBLE.test(line) && !MACHINE_HINT.test(line.trim())), output).toEqual([]);
    expect(output).toContain(`ClipCrafter is running: http://localhost:${ports.app}  (listening on 127.0.0.1;`);
    expect(output).toMatch(/^ {2}Media {8}ffmpeg \S+ \(.+\), ffprobe \S+ \(.+\); encoders libx264, aac, mjpeg$/m);
    expect(output).toContain(`data in ${path.join(dataDir, "postgres")}`);
    expect(output.match(/ClipCrafter: stopping…/g)).toHaveLength(1);
    // Everything it started is gone with it.
    expect(listeningAddresses(ports.app)).toEqual([]);
    expect(listeningAddresses(ports.postgres)).toEqual([]);
    expect(listeningAddresses(ports.storage)).toEqual([]);
  });
});
