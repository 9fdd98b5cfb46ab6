"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ProjectDetails } from "@/lib/projects/project-views";
import { projectsApi } from "@/lib/api-client/projects";
import { ApiError } from "@/lib/api-client/request";
import { formatDateTime, formatVideoTime } from "@/lib/format";
import { useLiveProject } from "../live";
import { describeStage, inFlight, StatusBadge } from "../status-badge";
import { ClipList } from "./clip-list";
import { DeleteProject } from "./delete-project";
import { RenameProject } from "./rename-project";

const settledStatuses = ["ready", "error", "canceled", "expired"];

/**
 * Every update carries freshly signed media links; keep the ones already on the page while
 * the media is the same, so the player does not reload mid-playback for a new signature.
 */
function keepMediaLinks(current: ProjectDetails, next: ProjectDetails): ProjectDetails {
  if (!current.playbackUrl || next.status !== current.status) return next;
  return {
    ...next,
    playbackUrl: current.playbackUrl,
    thumbnailUrl: current.thumbnailUrl,
    clips: current.clips.length === next.clips.length ? current.clips : next.clips,
  };
}

export function ProjectView({ initial }: { initial: ProjectDetails }) {
  const router = useRouter();
  const [project, setProject] = useState(initial);
  const [deleted, setDeleted] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<string | null>(null);
  const settled = settledStatuses.includes(project.status);

  useLiveProject(project, (next) => setProject((current) => keepMediaLinks(current, next)), () => setDeleted(true), settled);

  async function retry() {
    setRetrying(true);
    setRetryError(null);
    try {
      await projectsApi.retry(project.id);
      setProject((p) => ({ ...p, status: "queued", stage: null, progress: 0, error: null }));
    } catch (error) {
      setRetryError(error instanceof ApiError ? error.message : "Could not start the retry. Try again.");
    } finally {
      setRetrying(false);
    }
  }

  if (deleted) {
    return (
      <section className="panel empty-state">
        <h1>This project was deleted</h1>
        <Link className="button" href="/projects">
          Back to your projects
        </Link>
      </section>
    );
  }

  const stage = describeStage(project.stage);
  return (
    <article className="project-page">
      <p className="breadcrumb">
        <Link href="/projects">← All projects</Link>
      </p>
      <header className="project-header">
        <RenameProject project={project} onRenamed={(title) => setProject((p) => ({ ...p, title }))} />
        <StatusBadge status={project.status} stage={project.stage} progress={project.progress} />
      </header>

      {project.status === "error" && (
        <section className="panel error-panel" aria-labelledby="error-title">
          <h2 id="error-title">{project.source.type === "url" && !project.source.key ? "Download failed" : "Processing failed"}</h2>
          <p role="alert" className="error-reason">
            {project.error?.message ?? "Processing stopped without saying why."}
          </p>
          <p className="muted small">Error code: {project.error?.code ?? "unknown"}</p>
          <button type="button" onClick={() => void retry()} disabled={retrying} aria-describedby={retryError ? "retry-error" : undefined}>
            {retrying ? "Starting…" : "Retry"}
          </button>
          {retryError && (
            <p className="field-error" id="retry-error" role="alert">
              {retryError}
            </p>
          )}
        </section>
      )}

      {project.playbackUrl ? (
        <section className="player-box" aria-label="Video">
          <video controls playsInline preload="metadata" poster={project.thumbnailUrl ?? undefined} src={project.playbackUrl}>
            <a href={project.playbackUrl}>Download the video</a>
          </video>
        </section>
      ) : (
        inFlight(project.status) && (
          <section className="player-box" aria-label="Processing">
            <div className="player-placeholder">
              <p>{stage ?? (project.status === "queued" ? "Waiting to start…" : "Receiving the video…")}</p>
              <progress max={100} value={project.progress} aria-label="Processing progress" />
              <p className="muted" aria-live="polite">
                {project.progress}% — this page updates by itself.
              </p>
            </div>
          </section>
        )
      )}

      <div className="project-columns">
        <section className="panel" aria-labelledby="details-title">
          <h2 id="details-title">Details</h2>
          <dl className="meta">
            <dt>Length</dt>
            <dd>{project.media.durationSeconds !== null ? formatVideoTime(project.media.durationSeconds) : "—"}</dd>
            <dt>Resolution</dt>
            <dd>{project.media.width && project.media.height ? `${project.media.width} × ${project.media.height}` : "—"}</dd>
            <dt>Codecs</dt>
            <dd>{[project.media.videoCodec, project.media.audioCodec].filter(Boolean).join(" / ") || "—"}</dd>
            <dt>Source</dt>
            <dd className="break">{project.source.type === "url" ? (project.source.url ?? "A link") : "Uploaded file"}</dd>
            <dt>Created</dt>
            <dd>
              <time dateTime={project.createdAt}>{formatDateTime(project.createdAt)}</time>
            </dd>
          </dl>
        </section>

        <section className="panel" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          {project.timeline.length === 0 ? (
            <p className="muted">Nothing has happened yet.</p>
          ) : (
            <ol className="timeline">
              {project.timeline.map((entry, i) => (
                <li key={`${entry.at}-${i}`} data-kind={entry.kind}>
                  <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                  <span>{entry.message}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>

      <section className="panel section-gap" aria-labelledby="clips-title">
        <h2 id="clips-title">Clips</h2>
        <ClipList clips={project.clips} status={project.status} />
      </section>

      <DeleteProject
        project={project}
        onDeleted={() => {
          router.push("/projects");
          router.refresh();
        }}
      />
    </article>
  );
}
