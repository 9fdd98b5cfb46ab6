import { afterAll, afterEach } from "vitest";
import { jobFunctions } from "@/inngest";
import { EmbeddedRunner, type EmbeddedRunnerOptions } from "@/lib/jobs/embedded-runner";
import { setEmbeddedRunner } from "@/lib/jobs/send-event";

// Jobs in integration tests run in the test's own process, in an embedded runner that
// retries after 5 ms instead of Inngest's backoff.

/** An embedded runner of the app's job functions. */
export function appJobRunner(options: EmbeddedRunnerOptions = {}): EmbeddedRunner {
  return new EmbeddedRunner(jobFunctions(), { retryDelayMs: () => 5, ...options });
}

/** Events sent from now on run in `runner` (the app's job functions when none is given). */
export function runJobsIn<R extends EmbeddedRunner>(runner: R): R;
export function runJobsIn(): EmbeddedRunner;
export function runJobsIn(runner: EmbeddedRunner = appJobRunner()): EmbeddedRunner {
  setEmbeddedRunner(runner);
  return runner;
}

/** Takes the runner away after each test, or after the file's tests, so none outlives what set it. */
export function removeJobRunnerAfter(when: "each" | "all"): void {
  (when === "each" ? afterEach : afterAll)(() => setEmbeddedRunner(undefined));
}
