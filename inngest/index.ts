import { cleanupProject } from "./functions/cleanup-project";
import { processVideoFunction } from "./functions/process-video";

export const functions = [cleanupProject, processVideoFunction];
