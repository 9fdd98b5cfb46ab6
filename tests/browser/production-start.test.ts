import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { envSource } from "@/lib/env";
import { freePort } from "@/lib/local-stack/ports";
import { listeningAddresses } from "../support/listening-sockets";

// The built app (the one this tier runs) started as an operator would start it in
// production, with settings missing or unsafe: it must refuse to start and name them,
// never come up in a less safe mode.

const nextBin = path.join(process.cwd(), "node_modules/.bin/next");

async function startProduction(overrides: Record<string, string | undefined>) {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...envSource(),
    ...inject("browserServiceEnv"),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_URL: `http://localhost:${port}`,
    // Local sign-in, allowed here for a server on loopback alone, so that each test below
    // meets only the refusal it is about.
    ALLOW_LOCAL_AUTH_IN_PRODUCTION: "loopback-only",
    HOSTNAME: "127.0.0.1",
    ...overrides,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(nextBin, ["start", "--port", String(port), "--hostname", "127.0.0.1"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { exitCode, output };
}

describe("starting the app in production", () => {
  it("refuses to start without Inngest keys, naming both and the self-hosting setting", async () => {
    const { exitCode, output } = await startProduction({ INNGEST_MODE: undefined });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/INNGEST_EVENT_KEY is required in production/);
    expect(output).toMatch(/INNGEST_SIGNING_KEY is required in production/);
    expect(output).toMatch(/INNGEST_MODE=embedded/);
  });

  it("refuses the Inngest Dev Server mode, whose requests are unsigned", async () => {
    const { exitCode, output } = await startProduction({ INNGEST_MODE: "dev" });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/INNGEST_MODE=dev is for local development only/);
  });

  it("refuses to start without Supabase settings instead of falling back to passwordless sign-in", async () => {
    const { exitCode, output } = await startProduction({ AUTH_MODE: undefined, SUPABASE_URL: undefined });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/SUPABASE_URL is required/);
  });

  it("refuses passwordless local sign-in for an app served beyond loopback", async () => {
    const { exitCode, output } = await startProduction({ AUTH_MODE: "local", APP_URL: "https://clips.example.com" });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/AUTH_MODE=local \(passwordless sign-in\) is refused in production/);
  });

  it("refuses passwordless local sign-in on a loopback APP_URL unless asked for by name for a server listening on loopback alone", async () => {
    for (const overrides of [{ ALLOW_LOCAL_AUTH_IN_PRODUCTION: undefined }, { HOSTNAME: "0.0.0.0" }, { HOSTNAME: undefined, HOST: undefined }]) {
      const { exitCode, output } = await startProduction({ AUTH_MODE: "local", ...overrides });
      expect(exitCode, JSON.stringify(overrides)).toBe(1);
      expect(output).toMatch(/AUTH_MODE=local \(passwordless sign-in\) is refused in production/);
      expect(output).toMatch(/SUPABASE_URL/);
    }
  });

  it("listens on loopback only when started by the project's own tooling", () => {
    const port = Number(new URL(inject("appUrl")).port);
    const addresses = listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    // 0100007F is 127.0.0.1 as the kernel writes it; a wildcard bind would show zeros.
    expect(addresses.every((a) => a === "0100007F")).toBe(true);
  });
});
