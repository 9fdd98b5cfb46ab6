import { cleanupProject } from "./functions/cleanup-project";
import { importUrlFunction } from "./functions/import-url";
import { processVideoFunction } from "./functions/process-video";

export const functions = [cleanupProject, processVideoFunction, importUrlFunction];
