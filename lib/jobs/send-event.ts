import type { AppEvent } from "@/inngest/events";
import { inngest } from "@/inngest/client";
import { EmbeddedRunner } from "./embedded-runner";
import { jobsEnv } from "@/lib/env";

const globalForJobs = globalThis as unknown as { clipcrafterEmbeddedRunner?: EmbeddedRunner };

/** The in-process runner used in embedded mode (no Inngest Dev Server or Cloud). */
export async function embeddedRunner(): Promise<EmbeddedRunner> {
  if (!globalForJobs.clipcrafterEmbeddedRunner) {
    // Imported here, not at the top: the functions themselves send events through this module.
    const { functions } = await import("@/inngest");
    globalForJobs.clipcrafterEmbeddedRunner ??= new EmbeddedRunner(functions);
  }
  return globalForJobs.clipcrafterEmbeddedRunner;
}

/** Replaces the embedded runner (tests use short retry delays). */
export function setEmbeddedRunner(runner: EmbeddedRunner | undefined): void {
  globalForJobs.clipcrafterEmbeddedRunner = runner;
}

/**
 * Sends an event to Inngest (Cloud or Dev Server), or in embedded mode hands it to the
 * in-process runner. Events carry deterministic ids, so a resend is dropped by Inngest.
 */
export async function sendEvent(event: AppEvent & { id: string }): Promise<void> {
  if (jobsEnv().inngestMode === "embedded") {
    (await embeddedRunner()).send([event]);
    return;
  }
  await inngest.send(event);
}

/**
 * Whether this process's embedded runner holds a run for that event (always false outside
 * embedded mode, and in a process that runs no jobs, e.g. `npm run reconcile`).
 */
export function embeddedRunHeld(eventName: AppEvent["name"], data: Record<string, unknown>): boolean {
  return jobsEnv().inngestMode === "embedded" && (globalForJobs.clipcrafterEmbeddedRunner?.holdsRun(eventName, data) ?? false);
}
