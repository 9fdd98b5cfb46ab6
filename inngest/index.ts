import { cleanupProject } from "./functions/cleanup-project";

export const functions = [cleanupProject];
