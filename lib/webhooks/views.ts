// What the webhooks API returns and the settings page shows. The signing secret appears
// only in the answer to the registration, never in these views.

export type WebhookEndpointView = {
  id: string;
  url: string;
  enabled: boolean;
  /** Why the endpoint stopped receiving deliveries (e.g. it answered 410 Gone). */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
};

export type WebhookAttemptView = {
  attempt: number;
  at: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
};

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

export type WebhookDeliveryView = {
  id: string;
  endpointId: string;
  /** The `webhook-id` header: the same on every attempt, so receivers can drop repeats. */
  messageId: string;
  eventType: string;
  projectId: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  payload: unknown;
  attemptLog: WebhookAttemptView[];
};
