import { notFound } from "@/lib/api/errors";
import { asUser, type UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { checkEndpointUrl } from "./check-endpoint-url";
import { getEndpoint, setEndpointEnabled } from "@/lib/db/queries/webhook-endpoints";
import type { WebhookEndpointView } from "./views";

/**
 * Switches an endpoint on or off. Switching on passes the URL through the SSRF guard again
 * (what it resolves to may have changed) and clears the reason it was off; new status
 * changes reach it from then on. The switch is written through the server's connection
 * (people may only read their endpoints), filtered by the owner.
 */
export async function setEndpointEnabledOrThrow(
  claims: UserClaims,
  params: { endpointId: string; enabled: boolean },
): Promise<WebhookEndpointView> {
  const ref = { userId: claims.sub, endpointId: params.endpointId };
  const current = await asUser(claims, (tx) => getEndpoint(tx, ref));
  if (!current) throw notFound("That webhook endpoint");
  if (params.enabled) await checkEndpointUrl(current.url);
  const updated = await setEndpointEnabled(db(), {
    ...ref,
    enabled: params.enabled,
    disabledReason: params.enabled ? null : "Switched off by its owner.",
  });
  if (!updated) throw notFound("That webhook endpoint");
  return updated;
}
