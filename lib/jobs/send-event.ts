import type { AppEvent } from "@/lib/jobs/events";
import { inngestClient } from "@/lib/jobs/client";
import { EmbeddedRunner } from "./embedded-runner";
import { loadJobFunctions } from "./job-functions";
import { env } from "@/lib/env";

const globalForJobs = globalThis as unknown as { clipcrafterEmbeddedRunner?: EmbeddedRunner };

/** The in-process runner used in embedded mode (no Inngest Dev Server or Cloud). */
export async function embeddedRunner(): Promise<EmbeddedRunner> {
  if (!globalForJobs.clipcrafterEmbeddedRunner) {
    const functions = await loadJobFunctions();
    globalForJobs.clipcrafterEmbeddedRunner ??= new EmbeddedRunner(functions);
  }
  return globalForJobs.clipcrafterEmbeddedRunner;
}

/** Replaces the embedded runner (tests use short retry delays). */
export function setEmbeddedRunner(runner: EmbeddedRunner | undefined): void {
  globalForJobs.clipcrafterEmbeddedRunner = runner;
}

// Inngest accepts a few MB per request; the events here are small, so a hundred stay
// well inside that.
const MAX_EVENTS_PER_REQUEST = 100;

/**
 * Sends events to Inngest (Cloud or Dev Server) in one request per hundred, or in embedded
 * mode hands them to the in-process runner in one call. Events carry deterministic ids, so
 * a resend is dropped by Inngest. A rejection means some may not have been sent.
 */
export async function sendEvents(events: (AppEvent & { id: string })[]): Promise<void> {
  if (events.length === 0) return;
  if (env().inngestMode === "embedded") {
    (await embeddedRunner()).send(events);
    return;
  }
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
    await inngestClient().send(events.slice(i, i + MAX_EVENTS_PER_REQUEST));
  }
}

/** Sends one event, as `sendEvents` does. */
export async function sendEvent(event: AppEvent & { id: string }): Promise<void> {
  await sendEvents([event]);
}

/**
 * Whether this process's embedded runner holds a run for that event (always false outside
 * embedded mode, and in a process that runs no jobs, e.g. `npm run reconcile`).
 */
export function embeddedRunHeld(eventName: AppEvent["name"], data: Record<string, unknown>): boolean {
  return env().inngestMode === "embedded" && (globalForJobs.clipcrafterEmbeddedRunner?.holdsRun(eventName, data) ?? false);
}
