import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { deleteProjectOrThrow } from "@/lib/projects/delete-project";
import { getProjectDetailsOrThrow } from "@/lib/projects/get-project-details";
import { parseProjectId } from "@/lib/projects/project-id";
import { renameProjectOrThrow } from "@/lib/projects/rename-project";
import { renameProjectBody } from "@/lib/projects/schemas";

export const dynamic = "force-dynamic";

type Params = { id: string };

// GET /api/projects/:id — status, media, playback and clip links, timeline
export const GET = withUser<Params>(async (_request, { claims, params }) => {
  return Response.json(await getProjectDetailsOrThrow(claims, parseProjectId(params.id)));
});

// PATCH /api/projects/:id — rename
export const PATCH = withUser<Params>(async (request, { claims, params }) => {
  const projectId = parseProjectId(params.id);
  const { title } = renameProjectBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  return Response.json(await renameProjectOrThrow(claims, { projectId, title }));
});

// DELETE /api/projects/:id — stop work, remove stored files, delete the project
export const DELETE = withUser<Params>(async (_request, { claims, params }) => {
  await deleteProjectOrThrow(claims, parseProjectId(params.id));
  return new Response(null, { status: 204 });
});
