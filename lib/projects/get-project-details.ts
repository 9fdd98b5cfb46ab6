import { notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { asUser } from "@/lib/db/as-user";
import { getProject } from "@/lib/db/queries/projects";
import { listClips } from "@/lib/db/queries/clips";
import { listTimeline } from "@/lib/db/queries/project-events";
import { toProjectDetails, type ProjectDetails } from "./project-views";

/** The project page's data; another user's project is indistinguishable from a missing one. */
export async function getProjectDetailsOrThrow(claims: UserClaims, projectId: string): Promise<ProjectDetails> {
  const loaded = await asUser(claims, async (tx) => {
    const params = { userId: claims.sub, projectId };
    const row = await getProject(tx, params);
    if (!row) return null;
    return { row, clips: await listClips(tx, params), timeline: await listTimeline(tx, params) };
  });
  if (!loaded) throw notFound("That project");
  return toProjectDetails(loaded.row, loaded.clips, loaded.timeline);
}
