import type { WebhookEndpointRow } from "@/lib/db/queries/webhook-endpoints";
import type { WebhookAttemptRow, WebhookDeliveryRow } from "@/lib/db/queries/webhook-deliveries";

// What the webhooks API returns and the settings page shows: the rows the queries return
// for the owner, as they are. The signing secret appears only in the answer to the
// registration, never in these views.

export type WebhookEndpointView = WebhookEndpointRow;
export type WebhookAttemptView = WebhookAttemptRow;
export type WebhookDeliveryView = WebhookDeliveryRow;
