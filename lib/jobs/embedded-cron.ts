import type { InngestFunction } from "inngest";
import { log } from "@/lib/log";
import { cronMatcher } from "./cron";
import type { EmbeddedRunner } from "./embedded-runner";

function cronOf(fn: InngestFunction.Any): string | undefined {
  const triggers = (fn["opts"].triggers ?? []) as { cron?: string }[];
  return triggers.find((t) => typeof t?.cron === "string")?.cron;
}

/**
 * Embedded mode's stand-in for Inngest's scheduler: at the start of every minute, runs
 * each cron-triggered function whose expression matches (through the embedded runner,
 * like any other run). Returns a function that stops it.
 */
export function startEmbeddedCron(runner: EmbeddedRunner, functions: InngestFunction.Any[]): () => void {
  const scheduled = functions.flatMap((fn) => {
    const cron = cronOf(fn);
    return cron ? [{ fn, matches: cronMatcher(cron), cron }] : [];
  });
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = new Date();
    for (const { fn, matches, cron } of scheduled) {
      if (!matches(now)) continue;
      log.info("embedded_cron_triggered", { functionId: fn.id(), cron });
      runner.trigger(fn.id()).catch((error: unknown) => log.error("embedded_cron_failed", { functionId: fn.id(), error }));
    }
    timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
    timer.unref();
  };
  timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
  timer.unref();
  return () => clearTimeout(timer);
}
