import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { listProjectSummaries } from "@/lib/projects/list-project-summaries";
import { PROJECTS_PAGE_SIZE } from "@/lib/projects/schemas";
import { UsageMeter } from "../usage-meter";
import { ProjectList } from "./project-list";

export const metadata: Metadata = { title: "Projects" };
export const dynamic = "force-dynamic";

export default async function ProjectsPage() {
  const { claims } = await requireUser();
  const since = new Date().toISOString();
  const page = await listProjectSummaries(claims, { limit: PROJECTS_PAGE_SIZE });
  return (
    <>
      <div className="page-head">
        <h1>Projects</h1>
        <UsageMeter />
      </div>
      {page.projects.length > 0 && (
        <p className="page-actions">
          <Link className="button" href="/upload">
            Upload or import a video
          </Link>
        </p>
      )}
      <ProjectList initial={page.projects} nextCursor={page.nextCursor} since={since} />
    </>
  );
}
