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
  /** Not read: cleanup-project takes the keys from what the database recorded at deletion. */
  uploadKeys: z.array(z.string()).optional(),
});
export const projectDeleted = eventType("project/deleted", { schema: projectDeletedData });

// A project reached `ready` or `error`. Written to the outbox by the database in the
// transaction that made the change (see the webhooks migration); `at` is that moment.
export const projectStatusChangedData = z.object({
  projectId: z.uuid(),
  userId: z.uuid(),
  status: z.enum(["ready", "error"]),
  at: z.iso.datetime(),
});
export const projectStatusChanged = eventType("project/status.changed", { schema: projectStatusChangedData });

// One delivery (a status change, to one endpoint) to send; see deliver-webhooks.
export const webhookDeliveryRequestedData = z.object({
  deliveryId: z.uuid(),
  projectId: z.uuid(),
  userId: z.uuid(),
});
export const webhookDeliveryRequested = eventType("webhook/delivery.requested", { schema: webhookDeliveryRequestedData });

export type ProcessVideoData = z.infer<typeof processVideoData>;
export type ImportUrlData = z.infer<typeof importUrlData>;
export type ProjectDeletedData = z.infer<typeof projectDeletedData>;
export type ProjectStatusChangedData = z.infer<typeof projectStatusChangedData>;
export type WebhookDeliveryRequestedData = z.infer<typeof webhookDeliveryRequestedData>;

export type AppEvent =
  | { name: "video/process"; data: ProcessVideoData; id?: string }
  | { name: "video/import"; data: ImportUrlData; id?: string }
  | { name: "project/deleted"; data: ProjectDeletedData; id?: string }
  | { name: "project/status.changed"; data: ProjectStatusChangedData; id?: string }
  | { name: "webhook/delivery.requested"; data: WebhookDeliveryRequestedData; id?: string };

/** Deterministic event ids: Inngest drops a second event with the same id (24 h window). */
export const eventIds = {
  process: (projectId: string, attempt = 0) => (attempt === 0 ? `process-${projectId}` : `process-${projectId}-retry-${attempt}`),
  import: (projectId: string, attempt = 0) => (attempt === 0 ? `import-${projectId}` : `import-${projectId}-retry-${attempt}`),
  deleted: (projectId: string) => `deleted-${projectId}`,
  // The database trigger that writes status events builds the same id (webhooks migration).
  statusChanged: (data: Pick<ProjectStatusChangedData, "projectId" | "status" | "at">) =>
    `status-${data.projectId}-${data.status}-${Date.parse(data.at)}`,
  webhookDelivery: (deliveryId: string) => `webhook-delivery-${deliveryId}`,
};
