import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export type NextApp = { url: string; child: ChildProcess; stop: () => Promise<void> };

const nextBin = path.join(process.cwd(), "node_modules/.bin/next");

/** Starts `next dev` or `next start` with the given environment and waits until it answers. */
export async function startNextApp(options: {
  mode: "dev" | "start";
  port: number;
  /** The interface to listen on; loopback unless the caller names another. */
  hostname?: string;
  env: Record<string, string | undefined>;
  output?: "inherit" | "pipe" | "ignore";
  readyPath?: string;
  timeoutMs?: number;
}): Promise<NextApp> {
  const hostname = options.hostname ?? "127.0.0.1";
  const child = spawn(nextBin, [options.mode, "--port", String(options.port), "--hostname", hostname], {
    cwd: process.cwd(),
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", options.output ?? "inherit", options.output ?? "inherit"],
  });
  const listening = ["0.0.0.0", "::"].includes(hostname) ? "127.0.0.1" : hostname;
  const url = `http://${listening.includes(":") ? `[${listening}]` : listening}:${options.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next ${options.mode} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}${options.readyPath ?? "/api/health"}`);
      if (response.status < 500) return { url, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`next ${options.mode} did not answer on ${url} within ${(options.timeoutMs ?? 120_000) / 1000}s`);
}
