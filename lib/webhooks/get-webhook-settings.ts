import { asUser, type UserClaims } from "@/lib/db/as-user";
import { listDeliveries } from "@/lib/db/queries/webhook-deliveries";
import { listEndpoints } from "@/lib/db/queries/webhook-endpoints";
import type { WebhookDeliveryView, WebhookEndpointView } from "./views";

export type WebhookSettings = { endpoint: WebhookEndpointView; deliveries: WebhookDeliveryView[] }[];

/** The settings page's data: the user's endpoints, each with its newest deliveries. */
export async function getWebhookSettings(claims: UserClaims, deliveriesPerEndpoint = 20): Promise<WebhookSettings> {
  return asUser(claims, async (tx) => {
    const endpoints = await listEndpoints(tx, claims.sub);
    const settings: WebhookSettings = [];
    for (const endpoint of endpoints) {
      const deliveries = await listDeliveries(tx, { userId: claims.sub, endpointId: endpoint.id, limit: deliveriesPerEndpoint });
      settings.push({ endpoint, deliveries });
    }
    return settings;
  });
}
