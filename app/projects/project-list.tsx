"use client";

import Link from "next/link";
import { useCallback, useState } from "react";
import type { ProjectSummary } from "@/lib/projects/project-views";
import { projectsApi } from "@/lib/api-client/projects";
import { ApiError } from "@/lib/api-client/request";
import { announceUsageChanged } from "../usage-meter";
import { useProjectChanges } from "./live";
import { ProjectCard } from "./project-card";

/** The list's order, as the API sorts it: newest first, ties by id. */
function newestFirst(a: ProjectSummary, b: ProjectSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : -1;
}

function merge(list: ProjectSummary[], changed: ProjectSummary, morePages: boolean): ProjectSummary[] {
  const index = list.findIndex((p) => p.id === changed.id);
  if (index >= 0) {
    if (list[index]!.updatedAt > changed.updatedAt) return list;
    const next = [...list];
    next[index] = changed;
    return next;
  }
  // A project older than everything loaded belongs to a page not loaded yet: "Load more" brings it.
  const oldest = list.at(-1);
  if (morePages && oldest && newestFirst(changed, oldest) > 0) return list;
  return [...list, changed].sort(newestFirst);
}

export function ProjectList(props: { initial: ProjectSummary[]; nextCursor: string | null; since: string }) {
  const [projects, setProjects] = useState(props.initial);
  const [cursor, setCursor] = useState(props.nextCursor);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  useProjectChanges(
    props.since,
    useCallback(
      (changed: ProjectSummary) => {
        setProjects((list) => merge(list, changed, cursor !== null));
        // A finished video counts against the plan now; a failed one frees its slot.
        if (changed.status === "ready" || changed.status === "error") announceUsageChanged();
      },
      [cursor],
    ),
  );

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setLoadError(null);
    try {
      const page = await projectsApi.list({ before: cursor });
      setProjects((list) => {
        const known = new Set(list.map((p) => p.id));
        return [...list, ...page.projects.filter((p) => !known.has(p.id))];
      });
      setCursor(page.nextCursor);
    } catch (error) {
      setLoadError(error instanceof ApiError ? error.message : "Could not load more projects. Try again.");
    } finally {
      setLoading(false);
    }
  }

  if (projects.length === 0) {
    return (
      <section className="panel empty-state" aria-labelledby="empty-title">
        <h2 id="empty-title">No videos yet</h2>
        <p className="muted">Upload a video or paste a link, and it will show up here as it is processed.</p>
        <Link className="button" href="/upload">
          Upload your first video
        </Link>
      </section>
    );
  }

  return (
    <>
      <ul className="project-grid" aria-label="Projects">
        {projects.map((project) => (
          <ProjectCard key={project.id} project={project} />
        ))}
      </ul>
      <div className="load-more">
        <p className="muted" aria-live="polite">
          Showing {projects.length} project{projects.length === 1 ? "" : "s"}
          {cursor ? "" : " — that is all of them"}.
        </p>
        {cursor && (
          <button type="button" className="secondary" onClick={() => void loadMore()} disabled={loading} aria-describedby={loadError ? "load-more-error" : undefined}>
            {loading ? "Loading…" : "Load more projects"}
          </button>
        )}
        {loadError && (
          <p className="field-error" id="load-more-error" role="alert">
            {loadError}
          </p>
        )}
      </div>
    </>
  );
}
