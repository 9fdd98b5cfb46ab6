import { AppError } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { checkEndpointUrl } from "./check-endpoint-url";
import { countEndpoints, insertEndpoint } from "@/lib/db/queries/webhook-endpoints";
import { MAX_ENDPOINTS_PER_USER } from "./schemas";
import { generateWebhookSecret } from "./sign";
import type { WebhookEndpointView } from "./views";

/**
 * Registers a URL to receive the user's webhooks. The SSRF guard checks it first (422
 * `url_refused` with the reason; nothing is stored and nothing is contacted). The signing
 * secret is returned here and never again. Stored through the server's connection: people
 * may not insert endpoints themselves, which would skip the guard and the cap.
 */
export async function registerEndpoint(
  claims: UserClaims,
  params: { url: string },
  deps: { generateSecret: () => string } = { generateSecret: () => generateWebhookSecret() },
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const target = await checkEndpointUrl(params.url);
  const secret = deps.generateSecret();
  const endpoint = await db().begin(async (tx) => {
    if ((await countEndpoints(tx, claims.sub)) >= MAX_ENDPOINTS_PER_USER) {
      throw new AppError(
        "validation_failed",
        `You can register up to ${MAX_ENDPOINTS_PER_USER} webhook endpoints. Delete one you no longer use first.`,
      );
    }
    return insertEndpoint(tx, { userId: claims.sub, url: target.url.href, secret });
  });
  if (!endpoint) {
    throw new AppError("conflict", "That URL is already registered. To get a new secret, delete it and register it again.");
  }
  return { endpoint, secret };
}
