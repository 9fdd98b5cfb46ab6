import { withUser } from "@/lib/api/with-user";
import { listProjectSummaries } from "@/lib/projects/list-project-summaries";
import { listProjectsQuery } from "@/lib/projects/schemas";

export const dynamic = "force-dynamic";

// GET /api/projects — the user's projects, newest first, a page at a time (?before=<nextCursor>&limit=)
export const GET = withUser(async (request, { claims }) => {
  const query = listProjectsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(await listProjectSummaries(claims, query));
});
