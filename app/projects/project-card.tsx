import Link from "next/link";
import type { ProjectSummary } from "@/lib/projects/project-views";
import { formatDateTime, formatVideoTime } from "@/lib/format";
import { inFlight, StatusBadge } from "./status-badge";

export function ProjectCard({ project }: { project: ProjectSummary }) {
  return (
    <li className="project-card" data-status={project.status}>
      <Link href={`/projects/${project.id}`} className="project-link">
        <div className="thumb">
          {project.thumbnailUrl ? (
            // Presigned storage URLs: next/image's optimizer would fetch them server-side for nothing.
            // eslint-disable-next-line @next/next/no-img-element
            <img src={project.thumbnailUrl} alt="" loading="lazy" width={320} height={180} />
          ) : (
            <span className="thumb-placeholder" aria-hidden="true">
              {project.status === "error" ? "!" : "▶"}
            </span>
          )}
          {project.durationSeconds !== null && <span className="duration">{formatVideoTime(project.durationSeconds)}</span>}
        </div>
        <span className="project-title">{project.title}</span>
      </Link>
      <StatusBadge status={project.status} stage={project.stage} progress={project.progress} />
      {inFlight(project.status) && (
        <progress max={100} value={project.progress} aria-label={`Progress of ${project.title}`} />
      )}
      {project.error && <p className="card-error">{project.error.message}</p>}
      <p className="muted small">
        <time dateTime={project.createdAt}>{formatDateTime(project.createdAt)}</time>
        {project.sourceType === "url" && " · from a link"}
      </p>
    </li>
  );
}
