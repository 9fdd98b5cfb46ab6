import { withUser } from "@/lib/api/with-user";
import { parseProjectId } from "@/lib/projects/project-id";
import { retryProjectOrThrow } from "@/lib/projects/retry-project";
import { enforceRateLimit } from "@/lib/rate-limit/enforce-rate-limit";

// POST /api/projects/:id/retry — start a failed project again
export const POST = withUser<{ id: string }>(async (_request, { claims, params }) => {
  const projectId = parseProjectId(params.id);
  await enforceRateLimit("retries", claims.sub);
  return Response.json(await retryProjectOrThrow(claims, projectId), { status: 202 });
});
