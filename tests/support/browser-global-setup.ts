import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startServices } from "./local-services";
import { requireTool } from "./require-tool";
import { freePort } from "@/lib/local-stack/ports";
import { startNextApp } from "@/lib/local-stack/next-app";
import { envSource } from "@/lib/env";
import { ffmpegPath } from "@/lib/media/binaries";

declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    chromiumPath: string;
    browserServiceEnv: Record<string, string>;
  }
}

const MiB = 1024 * 1024;

/**
 * Settings that keep browser tests small: a file just over 5 MiB already goes multipart
 * in 5 MiB parts (the S3 minimum), and pasted links may point at the test's own
 * loopback server, which the import guard refuses otherwise. Every test signs in from
 * 127.0.0.1 with no proxy in front, so all their sign-ins share one count.
 */
export const browserTierSettings = {
  UPLOAD_SINGLE_PUT_MAX_BYTES: String(5 * MiB + 1),
  UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
  IMPORT_ALLOWED_HOSTS: "127.0.0.1,localhost",
  FFMPEG_PRESET: "ultrafast",
  RATE_LIMIT_SIGN_IN: "100/1m",
};

export function chromiumPath(): string {
  return envSource().CHROMIUM_PATH || "/usr/bin/chromium";
}

/** Builds the app, starts it with `next start` against fresh services, for the browser tier. */
export default async function setup(project: TestProject) {
  const chromium = chromiumPath();
  if (!existsSync(chromium)) {
    throw new Error(
      `Chromium not found at ${chromium}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  requireTool(ffmpegPath(envSource()), "-version", "apt-get install -y ffmpeg (or set FFMPEG_PATH)");
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  const services = await startServices({ appOrigin: appUrl });
  const env = {
    ...envSource(),
    ...services.env,
    ...browserTierSettings,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    // The tier signs in locally against a production build, which allows that only for a
    // server listening on loopback alone (startNextApp's default address).
    ALLOW_LOCAL_AUTH_IN_PRODUCTION: "loopback-only",
    HOSTNAME: "127.0.0.1",
  };

  const build = spawnSync(path.join(process.cwd(), "node_modules/.bin/next"), ["build"], {
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (build.status !== 0) {
    await services.stop();
    throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const app = await startNextApp({ mode: "start", port, env: { ...env, NEXT_TELEMETRY_DISABLED: "1" }, output: "inherit" });
  project.provide("appUrl", appUrl);
  project.provide("chromiumPath", chromium);
  project.provide("browserServiceEnv", services.env);
  return async () => {
    await app.stop();
    await services.stop();
  };
}
