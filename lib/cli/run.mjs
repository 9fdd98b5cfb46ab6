#!/usr/bin/env node
// Entry point of the npm scripts. Plain JavaScript because it runs before dependencies
// exist: on a fresh clone it installs them (from the lockfile), then hands over to
// the TypeScript command in lib/cli/<name>.ts through tsx, passing signals through.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node lib/cli/run.mjs <setup|dev|test|bench|doctor|reconcile> [args…]");
  process.exit(2);
}

function dependenciesAreCurrent() {
  const installed = path.join(root, "node_modules/.package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (!existsSync(installed) || !existsSync(path.join(root, "node_modules/.bin/tsx"))) return false;
  return !existsSync(lock) || statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
}

if (!dependenciesAreCurrent()) {
  console.log("ClipCrafter: installing dependencies (first run or package-lock.json changed)…");
  // `npm install`, not `npm ci`: registries that serve only this platform's optional
  // packages (as mirrors often do) leave the others out of the lockfile, which `npm ci`
  // treats as out of sync. The versions still come from package-lock.json.
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error("ClipCrafter: dependency installation failed (see above).");
    process.exit(result.status ?? 1);
  }
}

if (command === "setup") process.exit(0);

const tsx = path.join(root, "node_modules/.bin/tsx");
const script = path.join(root, "lib/cli", `${command}.ts`);
if (!existsSync(script)) {
  console.error(`ClipCrafter: unknown command "${command}"`);
  process.exit(2);
}
const child = spawn(tsx, [script, ...args], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
