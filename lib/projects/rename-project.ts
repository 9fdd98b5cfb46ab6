import { notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { asUser } from "@/lib/db/as-user";
import { renameProject } from "@/lib/db/queries/projects";
import { toProjectSummary, type ProjectSummary } from "./project-views";

/**
 * Renames a project as its owner: the title is the one thing people may change themselves
 * (they can also do it through Supabase's Data API), so this runs under their row-level
 * security like any other client would. The database notes the rename on the timeline
 * (supabase/migrations/20261205010000_authenticated_writes_server_only.sql), whichever
 * client made it.
 */
export async function renameProjectOrThrow(
  claims: UserClaims,
  params: { projectId: string; title: string },
): Promise<ProjectSummary> {
  const row = await asUser(claims, (tx) => renameProject(tx, { userId: claims.sub, ...params }));
  if (!row) throw notFound("That project");
  return toProjectSummary(row);
}
