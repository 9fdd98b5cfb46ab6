import { withUser } from "@/lib/api/with-user";
import { streamHeaders } from "@/lib/projects/event-stream";
import { projectChangesQuery } from "@/lib/projects/schemas";
import { streamProjectChanges } from "@/lib/projects/stream-project-changes";
import { openInStreamSlot } from "@/lib/rate-limit/stream-slots";

export const dynamic = "force-dynamic";

// GET /api/projects/events — live updates (SSE) for every project of the user changed after ?since=
export const GET = withUser(async (request, { claims }) => {
  const { since } = projectChangesQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const stream = await openInStreamSlot(claims.sub, (onClose) =>
    streamProjectChanges(claims, { since: since ? new Date(since) : new Date(), signal: request.signal, onClose }),
  );
  return new Response(stream, { headers: streamHeaders });
});
