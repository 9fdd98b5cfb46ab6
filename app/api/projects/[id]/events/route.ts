import { withUser } from "@/lib/api/with-user";
import { streamHeaders } from "@/lib/projects/event-stream";
import { parseProjectId } from "@/lib/projects/project-id";
import { streamProjectEvents } from "@/lib/projects/stream-project-events";
import { openInStreamSlot } from "@/lib/rate-limit/stream-slots";

export const dynamic = "force-dynamic";

// GET /api/projects/:id/events — live updates (SSE) until the project is ready or failed
export const GET = withUser<{ id: string }>(async (request, { claims, params }) => {
  const projectId = parseProjectId(params.id);
  const stream = await openInStreamSlot(claims.sub, (onClose) =>
    streamProjectEvents(claims, projectId, { signal: request.signal, onClose }),
  );
  return new Response(stream, { headers: streamHeaders });
});
