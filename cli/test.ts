// `npm test [unit|integration|browser|faults …]`: runs the test tiers with vitest and ends with
// one plain summary line ("N passed, N failed"). Each tier starts the real services it
// needs itself (see tests/support); a missing ffmpeg or Chromium fails its tier with the
// command that installs it.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { envSource } from "@/lib/env";

const tiers = ["unit", "integration", "browser", "faults"];
const requested = process.argv.slice(2);
const unknown = requested.filter((t) => !tiers.includes(t));
if (unknown.length) {
  console.error(`Unknown test tier(s): ${unknown.join(", ")}. Tiers: ${tiers.join(", ")}`);
  process.exit(2);
}
const selected = requested.length ? requested : tiers;
const resultsDir = path.join(process.cwd(), "test-results");
mkdirSync(resultsDir, { recursive: true });
const reportFile = path.join(resultsDir, "vitest.json");

// Everything the tiers write to the temporary folder (databases, storage, generated media,
// the browser tier's app build) goes under one folder of this run, removed when it ends,
// whatever a test or a service left behind. Postgres runs as its own user, so it must be
// able to enter it.
const scratch = mkdtempSync(path.join(os.tmpdir(), "clipcrafter-tests-"));
chmodSync(scratch, 0o755);

const started = Date.now();
const run = spawnSync(
  path.join(process.cwd(), "node_modules/.bin/vitest"),
  ["run", ...selected.flatMap((t) => ["--project", t]), "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`],
  { stdio: "inherit", env: { ...(envSource() as NodeJS.ProcessEnv), TMPDIR: scratch } },
);
rmSync(scratch, { recursive: true, force: true });

type Report = {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
};
let report: Report | undefined;
try {
  report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
} catch {
  report = undefined;
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (!report) {
  console.log(`\ntests (${selected.join(", ")}): 0 passed, 1 failed — vitest produced no report (exit ${run.status}) after ${minutes} min`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
// A run that vitest reports as unsuccessful (an unhandled error, a failed global setup)
// counts as a failure even when no single test failed.
const runFailed = run.status !== 0 || !report.success || report.numTotalTests === 0;
const failed = report.numFailedTests + (runFailed && report.numFailedTests === 0 ? 1 : 0);
console.log(`\ntests (${selected.join(", ")}) in ${minutes} min:`);
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || skipped > 0 ? 1 : 0);
