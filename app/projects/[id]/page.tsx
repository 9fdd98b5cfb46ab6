import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { AppError } from "@/lib/api/errors";
import { requireUser } from "@/lib/auth/current-user";
import { getProjectDetailsOrThrow } from "@/lib/projects/get-project-details";
import { parseProjectId } from "@/lib/projects/project-id";
import type { ProjectDetails } from "@/lib/projects/project-views";
import { ProjectView } from "./project-view";

export const dynamic = "force-dynamic";

// One load per request for both the page and its title.
const load = cache(async (id: string): Promise<ProjectDetails> => {
  const { claims } = await requireUser();
  try {
    return await getProjectDetailsOrThrow(claims, parseProjectId(id));
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const project = await load((await params).id);
  return { title: project.title };
}

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const project = await load((await params).id);
  return <ProjectView initial={project} />;
}
