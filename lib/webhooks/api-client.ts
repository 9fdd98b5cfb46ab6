import { apiRequest } from "@/lib/api-client/request";
import type { WebhookDeliveryView, WebhookEndpointView } from "./views";

// The browser's calls to the webhooks API (the settings page).
export const webhooksApi = {
  register: (url: string) =>
    apiRequest<{ endpoint: WebhookEndpointView; secret: string }>("/api/webhooks/endpoints", { body: { url } }),
  setEnabled: (id: string, enabled: boolean) =>
    apiRequest<{ endpoint: WebhookEndpointView }>(`/api/webhooks/endpoints/${id}`, { method: "PATCH", body: { enabled } }),
  remove: (id: string) => apiRequest<void>(`/api/webhooks/endpoints/${id}`, { method: "DELETE" }),
  deliveries: (id: string) => apiRequest<{ deliveries: WebhookDeliveryView[] }>(`/api/webhooks/endpoints/${id}/deliveries`),
};
