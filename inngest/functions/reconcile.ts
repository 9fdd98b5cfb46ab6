import { inngest } from "@/lib/jobs/client";
import { db } from "@/lib/db/client";
import { reconcileJobEnv } from "@/lib/env";
import { cleanOrphans } from "@/lib/reconcile/clean-orphans";
import { completeFinishedUploads } from "@/lib/reconcile/complete-finished-uploads";
import { expireAbandonedUploads } from "@/lib/reconcile/expire-abandoned-uploads";
import { recoverStalledProcessing } from "@/lib/reconcile/recover-stalled-processing";
import { redriveQueuedProjects } from "@/lib/reconcile/redrive-queued-projects";
import { redriveStalledImports } from "@/lib/reconcile/redrive-stalled-imports";
import { resendUnsentEvents } from "@/lib/reconcile/resend-unsent-events";
import { defaultReconcileDeps, reconcileSettings, summarize } from "@/lib/reconcile/run-reconcile";

// The safety net behind "no video in limbo": every few minutes, find each stuck state a
// client, a network or a crash can leave behind and repair it, one named step per kind
// so the dashboard shows what each run found. `npm run reconcile` runs the same parts once.
// In embedded mode a newly started process runs it at once with `interruptedBefore` (see
// lib/jobs/embedded-cron.ts): what the previous process had under way is re-driven now.
export const reconcileFunction = inngest.createFunction(
  {
    id: "reconcile",
    name: "Reconcile stuck uploads, events and runs",
    triggers: [{ cron: reconcileJobEnv().cron }],
    concurrency: [{ limit: 1 }],
    retries: 1,
  },
  async ({ event, step }) => {
    const restart = (event.data as { interruptedBefore?: unknown } | undefined)?.interruptedBefore;
    const settings = reconcileSettings({ interruptedBefore: typeof restart === "string" ? new Date(restart) : undefined });
    const deps = defaultReconcileDeps;
    const completed = await step.run("complete-finished-uploads", () => completeFinishedUploads(db(), settings, deps));
    const expired = await step.run("expire-abandoned-uploads", () => expireAbandonedUploads(db(), settings, deps));
    const queued = await step.run("redrive-queued-projects", () => redriveQueuedProjects(db(), settings, deps));
    const imports = await step.run("redrive-stalled-imports", () => redriveStalledImports(db(), settings, deps));
    const resent = await step.run("resend-unsent-events", () => resendUnsentEvents(db(), settings, deps));
    const stalled = await step.run("recover-stalled-processing", () => recoverStalledProcessing(db(), settings, deps));
    const orphans = await step.run("clean-orphans", () => cleanOrphans(db(), settings, deps));
    return summarize({ completed, expired, queued, imports, resent, stalled, orphans });
  },
);
