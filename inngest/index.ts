import { cleanupProjectFunction } from "./functions/cleanup-project";
import { deliverWebhooksFunction } from "./functions/deliver-webhooks";
import { importUrlFunction } from "./functions/import-url";
import { processVideoFunction } from "./functions/process-video";
import { reconcileFunction } from "./functions/reconcile";
import { sendWebhookFunction } from "./functions/send-webhook";

let functions: ReturnType<typeof createFunctions> | undefined;

function createFunctions() {
  return [cleanupProjectFunction(), processVideoFunction(), importUrlFunction(), reconcileFunction(), deliverWebhooksFunction(), sendWebhookFunction()];
}

/**
 * The app's Inngest functions, served by app/api/inngest/route.ts and run in embedded mode
 * by whoever registers them at start-up (instrumentation.ts). Made on first use, not when
 * this module loads: their concurrency, retries and schedule come from the settings.
 */
export function jobFunctions() {
  functions ??= createFunctions();
  return functions;
}
