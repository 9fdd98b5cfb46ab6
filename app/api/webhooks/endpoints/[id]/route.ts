import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { deleteEndpointOrThrow } from "@/lib/webhooks/delete-endpoint";
import { parseEndpointId } from "@/lib/webhooks/endpoint-id";
import { updateEndpointBody } from "@/lib/webhooks/schemas";
import { setEndpointEnabledOrThrow } from "@/lib/webhooks/set-endpoint-enabled";

export const dynamic = "force-dynamic";

type Params = { id: string };

// PATCH /api/webhooks/endpoints/:id — switch an endpoint on (the URL is checked again) or off
export const PATCH = withUser<Params>(async (request, { claims, params }) => {
  const endpointId = parseEndpointId(params.id);
  const { enabled } = updateEndpointBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  return Response.json({ endpoint: await setEndpointEnabledOrThrow(claims, { endpointId, enabled }) });
});

// DELETE /api/webhooks/endpoints/:id — remove an endpoint and its delivery log
export const DELETE = withUser<Params>(async (_request, { claims, params }) => {
  await deleteEndpointOrThrow(claims, parseEndpointId(params.id));
  return new Response(null, { status: 204 });
});
