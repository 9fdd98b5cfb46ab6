import type { registerEndpoint } from "@/lib/webhooks/register-endpoint";
import type { RegisterEndpointBody, UpdateEndpointBody } from "@/lib/webhooks/schemas";
import type { WebhookDeliveryView, WebhookEndpointView } from "@/lib/webhooks/views";
import { apiRequest } from "./request";

// Client for the Webhooks API (the settings page).

const path = (endpointId: string) => `/api/webhooks/endpoints/${encodeURIComponent(endpointId)}`;

export const webhooksApi = {
  register: (url: RegisterEndpointBody["url"]) =>
    apiRequest<Awaited<ReturnType<typeof registerEndpoint>>>("/api/webhooks/endpoints", { body: { url } }),
  setEnabled: (endpointId: string, enabled: UpdateEndpointBody["enabled"]) =>
    apiRequest<{ endpoint: WebhookEndpointView }>(path(endpointId), { method: "PATCH", body: { enabled } }),
  remove: (endpointId: string) => apiRequest<void>(path(endpointId), { method: "DELETE" }),
  deliveries: (endpointId: string) => apiRequest<{ deliveries: WebhookDeliveryView[] }>(`${path(endpointId)}/deliveries`),
};
