import { eventType } from "inngest";
import { z } from "zod";

// One schema per event payload; functions trigger on these and senders build from them.

export const processVideoData = z.object({
  projectId: z.uuid(),
  userId: z.uuid(),
});
export const processVideo = eventType("video/process", { schema: processVideoData });

export const importUrlData = z.object({
  projectId: z.uuid(),
  userId: z.uuid(),
  url: z.url(),
});
export const importUrl = eventType("video/import", { schema: importUrlData });

export const projectDeletedData = z.object({
  projectId: z.uuid(),
  userId: z.uuid(),
  uploadKeys: z.array(z.string()),
});
export const projectDeleted = eventType("project/deleted", { schema: projectDeletedData });

export type ProcessVideoData = z.infer<typeof processVideoData>;
export type ImportUrlData = z.infer<typeof importUrlData>;
export type ProjectDeletedData = z.infer<typeof projectDeletedData>;

export type AppEvent =
  | { name: "video/process"; data: ProcessVideoData; id?: string }
  | { name: "video/import"; data: ImportUrlData; id?: string }
  | { name: "project/deleted"; data: ProjectDeletedData; id?: string };

/** Deterministic event ids: Inngest drops a second event with the same id (24 h window). */
export const eventIds = {
  process: (projectId: string, attempt = 0) => (attempt === 0 ? `process-${projectId}` : `process-${projectId}-retry-${attempt}`),
  import: (projectId: string, attempt = 0) => (attempt === 0 ? `import-${projectId}` : `import-${projectId}-retry-${attempt}`),
  deleted: (projectId: string) => `deleted-${projectId}`,
};
