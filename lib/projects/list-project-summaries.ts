import type { UserClaims } from "@/lib/db/as-user";
import { asUser } from "@/lib/db/as-user";
import { listProjects } from "@/lib/db/queries/projects";
import { decodeProjectCursor, encodeProjectCursor } from "./cursor";
import { toProjectSummary, type ProjectSummary } from "./project-views";

export type ProjectPage = { projects: ProjectSummary[]; nextCursor: string | null };

/** One page of a user's projects, newest first; `nextCursor` is null on the last page. */
export async function listProjectSummaries(
  claims: UserClaims,
  params: { limit: number; before?: string },
): Promise<ProjectPage> {
  const before = params.before ? decodeProjectCursor(params.before) : undefined;
  // One extra row says whether another page exists without a count query.
  const rows = await asUser(claims, (tx) =>
    listProjects(tx, { userId: claims.sub, limit: params.limit + 1, before }),
  );
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  return {
    projects: await Promise.all(page.map(toProjectSummary)),
    nextCursor: rows.length > params.limit && last ? encodeProjectCursor(last) : null,
  };
}
