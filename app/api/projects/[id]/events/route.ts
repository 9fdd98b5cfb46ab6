import { withUser } from "@/lib/api/with-user";
import { streamHeaders } from "@/lib/projects/event-stream";
import { parseProjectId } from "@/lib/projects/project-id";
import { streamProjectEvents } from "@/lib/projects/stream-project-events";

export const dynamic = "force-dynamic";

// GET /api/projects/:id/events — live updates (SSE) until the project is ready or failed
export const GET = withUser<{ id: string }>(async (request, { claims, params }) => {
  const stream = await streamProjectEvents(claims, parseProjectId(params.id), { signal: request.signal });
  return new Response(stream, { headers: streamHeaders });
});
