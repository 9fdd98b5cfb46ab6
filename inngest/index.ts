import { cleanupProject } from "./functions/cleanup-project";
import { deliverWebhooks } from "./functions/deliver-webhooks";
import { importUrlFunction } from "./functions/import-url";
import { processVideoFunction } from "./functions/process-video";
import { reconcileFunction } from "./functions/reconcile";
import { sendWebhook } from "./functions/send-webhook";

export const functions = [cleanupProject, processVideoFunction, importUrlFunction, reconcileFunction, deliverWebhooks, sendWebhook];
