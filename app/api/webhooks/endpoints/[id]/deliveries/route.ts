import { withUser } from "@/lib/api/with-user";
import { parseEndpointId } from "@/lib/webhooks/endpoint-id";
import { listEndpointDeliveriesOrThrow } from "@/lib/webhooks/list-endpoint-deliveries";

export const dynamic = "force-dynamic";

type Params = { id: string };

// GET /api/webhooks/endpoints/:id/deliveries — the delivery log: newest 50, every attempt
export const GET = withUser<Params>(async (_request, { claims, params }) => {
  const deliveries = await listEndpointDeliveriesOrThrow(claims, parseEndpointId(params.id));
  return Response.json({ deliveries });
});
