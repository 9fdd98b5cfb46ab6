import { notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { asUser } from "@/lib/db/as-user";
import { renameProject } from "@/lib/db/queries/projects";
import { addTimelineEvent } from "./timeline";
import { toProjectSummary, type ProjectSummary } from "./project-views";

export async function renameProjectOrThrow(
  claims: UserClaims,
  params: { projectId: string; title: string },
): Promise<ProjectSummary> {
  const row = await asUser(claims, async (tx) => {
    const renamed = await renameProject(tx, { userId: claims.sub, ...params });
    if (renamed) {
      await addTimelineEvent(tx, {
        projectId: params.projectId,
        userId: claims.sub,
        kind: "renamed",
        message: `Renamed to “${params.title}”.`,
      });
    }
    return renamed;
  });
  if (!row) throw notFound("That project");
  return toProjectSummary(row);
}
