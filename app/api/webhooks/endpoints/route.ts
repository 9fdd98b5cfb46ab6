import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { asUser } from "@/lib/db/as-user";
import { listEndpoints } from "@/lib/db/queries/webhook-endpoints";
import { registerEndpoint } from "@/lib/webhooks/register-endpoint";
import { registerEndpointBody } from "@/lib/webhooks/schemas";
import { enforceRateLimit } from "@/lib/rate-limit/enforce-rate-limit";

export const dynamic = "force-dynamic";

// GET /api/webhooks/endpoints — the user's endpoints (never their secrets)
export const GET = withUser(async (_request, { claims }) => {
  const endpoints = await asUser(claims, (tx) => listEndpoints(tx, claims.sub));
  return Response.json({ endpoints });
});

// POST /api/webhooks/endpoints — register a URL; the signing secret is in this answer only
export const POST = withUser(async (request, { claims }) => {
  await enforceRateLimit("webhookEndpoints", claims.sub);
  const { url } = registerEndpointBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  const { endpoint, secret } = await registerEndpoint(claims, { url });
  return Response.json({ endpoint, secret }, { status: 201 });
});
