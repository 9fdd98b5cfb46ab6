import { cleanupProject } from "./functions/cleanup-project";
import { importUrlFunction } from "./functions/import-url";
import { processVideoFunction } from "./functions/process-video";
import { reconcileFunction } from "./functions/reconcile";

export const functions = [cleanupProject, processVideoFunction, importUrlFunction, reconcileFunction];
