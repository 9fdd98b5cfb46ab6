import { withUser } from "@/lib/api/with-user";
import { parseProjectId } from "@/lib/projects/project-id";
import { retryProjectOrThrow } from "@/lib/projects/retry-project";

// POST /api/projects/:id/retry — start a failed project again
export const POST = withUser<{ id: string }>(async (_request, { claims, params }) => {
  return Response.json(await retryProjectOrThrow(claims, parseProjectId(params.id)), { status: 202 });
});
