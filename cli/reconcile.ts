// `npm run reconcile`: one reconcile pass now, against the configured deployment (or the
// local stack `npm run dev` runs), printing what it found and fixed as JSON.
import { env } from "@/lib/env";
import { registerJobFunctions } from "@/lib/jobs/job-functions";
import { embeddedRunner } from "@/lib/jobs/send-event";
import { closeDb } from "@/lib/db/client";
import { runReconcile } from "@/lib/reconcile/run-reconcile";
import { applyCommandSettings } from "./_command-settings";

// In embedded mode a resent event runs in this process. A command is the start-up of its
// own process, so, as instrumentation.ts does for the server, it hands inngest/'s list over.
registerJobFunctions(async () => (await import("@/inngest")).jobFunctions());

applyCommandSettings();
try {
  const counts = await runReconcile();
  console.log(JSON.stringify(counts, null, 2));
  // In embedded mode a resent event runs here; let those runs finish before exiting.
  if (env().inngestMode === "embedded") await (await embeddedRunner()).idle();
} catch (error) {
  console.error(`reconcile failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
