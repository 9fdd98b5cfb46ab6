import { log } from "@/lib/log";
import { cronSchedule } from "./cron";
import type { EmbeddedRunner } from "./embedded-runner";

/** What a cron function's first run in a newly started embedded process is told. */
export type StartupRunData = { interruptedBefore: string };

const STARTUP_RETRY_MS = 2_000;
const STARTUP_GIVE_UP_MS = 10 * 60_000;

/**
 * Embedded mode's stand-in for Inngest's scheduler: runs each cron-triggered function the
 * runner registered at the times its expression names (croner keeps the time; the run goes
 * through the embedded runner like any other). Returns a function that stops it.
 *
 * It also runs each of them once at once, with `interruptedBefore` set to this moment: in
 * embedded mode runs live only in the process, so whatever the previous process had under
 * way (runs, completion claims, events it handed to its runner) died with it, and the
 * reconciler can re-drive it now instead of waiting for its stall bounds. That first run is
 * repeated until it succeeds (Postgres may still be starting), for up to ten minutes.
 */
export function startEmbeddedCron(runner: EmbeddedRunner, options: { startedAt?: Date; startupRetryMs?: number } = {}): () => void {
  const scheduled = runner.scheduledFunctions();
  let stopped = false;
  const startedAt = options.startedAt ?? new Date();
  const retryMs = options.startupRetryMs ?? STARTUP_RETRY_MS;

  const runAtStartup = async (functionId: string) => {
    const data: StartupRunData = { interruptedBefore: startedAt.toISOString() };
    while (!stopped && Date.now() - startedAt.getTime() < STARTUP_GIVE_UP_MS) {
      const outcome = await runner.trigger(functionId, data).catch((error: unknown) => ({ status: "failed" as const, error }));
      if (outcome.status === "completed") {
        log.info("embedded_startup_run_finished", { functionId, ms: Date.now() - startedAt.getTime() });
        return;
      }
      log.warn("embedded_startup_run_failed", { functionId, retryInMs: retryMs });
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
    }
  };
  for (const { id } of scheduled) void runAtStartup(id);

  const jobs = scheduled.map(({ id, cron }) =>
    cronSchedule(cron, () => {
      log.info("embedded_cron_triggered", { functionId: id, cron });
      runner.trigger(id).catch((error: unknown) => log.error("embedded_cron_failed", { functionId: id, error }));
    }),
  );
  return () => {
    stopped = true;
    for (const job of jobs) job.stop();
  };
}
