#!/usr/bin/env node
// Entry point of the npm scripts. Plain JavaScript that runs on any Node ≥ 18, because it
// runs before dependencies exist and before the project's own Node does. On a fresh clone
// it brings the project's Node (the `node` devDependency, Node 24 LTS), installs the
// dependencies under that Node (npm checks `engines` against the Node it runs on, so an
// install run by an older system Node prints a wall of EBADENGINE warnings), then runs
// the TypeScript command in cli/<name>.ts (tsx as the loader) under that Node too, with
// node_modules/.bin first on PATH so that next, vitest and every child they start use it
// as well. Signals are passed through.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node cli/run.mjs <setup|dev|test|bench|doctor|reconcile> [args…]");
  process.exit(2);
}

const binDir = path.join(root, "node_modules/.bin");
const projectNode = path.join(binDir, "node");
// This file cannot load lib/env.ts (TypeScript, and its dependencies may not be installed
// yet), so it reads the environment itself; it only passes it on, with PATH extended.
// eslint-disable-next-line no-restricted-properties
const inherited = process.env;

/** The Node version the project runs on: the lockfile's `node`, else package.json's range. */
function pinnedNode() {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
  const locked = lock.packages?.["node_modules/node"]?.version;
  if (locked) return locked;
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  return manifest.devDependencies.node;
}

const majorOf = (version) => Number(String(version).replace(/^[^\d]*/, "").split(".")[0]);

function versionOf(nodeBinary) {
  if (!existsSync(nodeBinary)) return undefined;
  const probe = spawnSync(nodeBinary, ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

function withPath(dirs) {
  return { ...inherited, PATH: [...dirs, inherited.PATH ?? ""].join(path.delimiter) };
}

function dependenciesAreCurrent(wantedMajor) {
  const installed = path.join(root, "node_modules/.package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (!existsSync(installed) || !existsSync(path.join(binDir, "tsx"))) return false;
  if (majorOf(versionOf(projectNode) ?? "0") !== wantedMajor) return false;
  return !existsSync(lock) || statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
}

/**
 * Fetches the project's Node into a scratch folder so that the full install can run under
 * it. The scratch package.json approves the `node` package's install script (it links the
 * platform's binary), as the project's own allowScripts does.
 */
function stageNode(version) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clipcrafter-node-"));
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "clipcrafter-node", private: true, dependencies: { node: version }, allowScripts: { node: true } }),
  );
  // Its summary line would only be noise; errors (stderr) still show.
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const binary = path.join(dir, "node_modules/.bin/node");
  if (result.status !== 0 || !versionOf(binary)) {
    rmSync(dir, { recursive: true, force: true });
    console.error(`ClipCrafter: could not fetch Node ${version} from the npm registry (see above).`);
    process.exit(result.status || 1);
  }
  return { dir, binDir: path.join(dir, "node_modules/.bin") };
}

const wanted = pinnedNode();
const wantedMajor = majorOf(wanted);
if (!dependenciesAreCurrent(wantedMajor)) {
  let staged;
  const current = versionOf(projectNode);
  if (majorOf(current ?? process.version) !== wantedMajor) {
    console.log(`ClipCrafter: this machine runs Node ${process.version}; fetching the project's Node ${wanted} first…`);
    staged = stageNode(wanted);
  }
  console.log("ClipCrafter: installing dependencies (first run or package-lock.json changed)…");
  // `npm install`, not `npm ci`: registries that serve only this platform's optional
  // packages (as mirrors often do) leave the others out of the lockfile, which `npm ci`
  // treats as out of sync. The versions still come from package-lock.json. npm starts
  // through `#!/usr/bin/env node`, so the PATH decides which Node runs it.
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
    env: withPath([...(staged ? [staged.binDir] : []), binDir]),
  });
  if (staged) rmSync(staged.dir, { recursive: true, force: true });
  if (result.status !== 0) {
    console.error("ClipCrafter: dependency installation failed (see above).");
    process.exit(result.status ?? 1);
  }
  if (majorOf(versionOf(projectNode) ?? "0") !== wantedMajor) {
    console.error(`ClipCrafter: node_modules/.bin/node is not Node ${wantedMajor} after installing; remove node_modules and retry.`);
    process.exit(1);
  }
}

if (command === "setup") process.exit(0);

const script = path.join(root, "cli", `${command}.ts`);
if (!existsSync(script)) {
  console.error(`ClipCrafter: unknown command "${command}"`);
  process.exit(2);
}
// npm sets these to the Node that runs npm; tools that start Node through them get ours.
const env = { ...withPath([binDir]), NODE: projectNode, npm_node_execpath: projectNode };
// tsx as a loader in the command's own process, not the tsx CLI in between: the CLI
// relays a signal and SIGKILLs the command when it does not acknowledge within 30 ms,
// which cut a busy `npm run dev` off halfway through its Ctrl-C shutdown.
const child = spawn(projectNode, ["--import", "tsx", script, ...args], { cwd: root, stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
