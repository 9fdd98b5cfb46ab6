import { notFound } from "@/lib/api/errors";
import { asUser, type UserClaims } from "@/lib/db/as-user";
import { listDeliveries } from "@/lib/db/queries/webhook-deliveries";
import { getEndpoint } from "@/lib/db/queries/webhook-endpoints";
import { DELIVERIES_PAGE_SIZE } from "./schemas";
import type { WebhookDeliveryView } from "./views";

/** The delivery log of one of the user's endpoints, newest first, with every attempt. */
export async function listEndpointDeliveriesOrThrow(
  claims: UserClaims,
  endpointId: string,
  limit = DELIVERIES_PAGE_SIZE,
): Promise<WebhookDeliveryView[]> {
  return asUser(claims, async (tx) => {
    const ref = { userId: claims.sub, endpointId };
    if (!(await getEndpoint(tx, ref))) throw notFound("That webhook endpoint");
    return listDeliveries(tx, { ...ref, limit });
  });
}
