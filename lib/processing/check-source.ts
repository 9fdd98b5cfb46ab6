import type { Db } from "@/lib/db/client";
import { claimProjectForRun, getProcessingProject, type ProcessingProject } from "@/lib/db/queries/processing";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { log } from "@/lib/log";
import { headObject } from "@/lib/storage/objects";
import { isOwnedKey } from "@/lib/storage/owned-keys";
import { ProcessingError } from "./processing-error";
import { recordingFailures } from "./run-state";
import { overallProgress } from "./stages";
import { sourceChanged, type VerifiedSource } from "./verified-source";

export type SourceCheck =
  | { proceed: true; runId: string; sourceKey: string; sourceSize: number; sourceEtag: string; attempt: number }
  | { proceed: false; reason: "project_gone" | "already_ready" | "claimed_by_another_run" | "not_waiting"; status?: string };

/**
 * The first step: is there a verified source to process, and is this run the one to do
 * it? The system this grew from let a job fail here on every run without anyone seeing;
 * here a missing source ends the project in `error` with a message that says what to do.
 * A duplicate delivery finds the project ready or claimed by another run and stops.
 */
export async function checkSource(db: Db, params: { projectId: string; userId: string; runId: string }): Promise<SourceCheck> {
  const project = await getProcessingProject(db, params);
  if (!project) return { proceed: false, reason: "project_gone" };
  if (project.status === "ready") return { proceed: false, reason: "already_ready" };
  if (project.status === "processing" && project.processingRunId !== params.runId) {
    return { proceed: false, reason: "claimed_by_another_run" };
  }
  if (!["queued", "uploading", "processing"].includes(project.status)) {
    return { proceed: false, reason: "not_waiting", status: project.status };
  }

  const source = await recordingFailures(db, params, "source", () => verifyStoredSource(project, params.userId));

  const attempt = await claimProjectForRun(db, { ...params, stage: "source", progress: overallProgress("source", 1) });
  if (attempt === null) {
    const now = await getProcessingProject(db, params);
    return now?.status === "ready"
      ? { proceed: false, reason: "already_ready" }
      : now?.status === "processing"
        ? { proceed: false, reason: "claimed_by_another_run" }
        : { proceed: false, reason: now ? "not_waiting" : "project_gone", status: now?.status };
  }
  await addTimelineEvent(db, {
    projectId: params.projectId,
    userId: params.userId,
    kind: "processing_started",
    message: attempt > 1 ? `Processing started (attempt ${attempt}).` : "Processing started.",
    data: { attempt, sourceSize: source.size },
  });
  return { proceed: true, runId: params.runId, sourceKey: source.key, sourceSize: source.size, sourceEtag: source.etag, attempt };
}

async function verifyStoredSource(project: ProcessingProject, ownerId: string): Promise<VerifiedSource> {
  const fromLink = project.sourceType === "url";
  if (fromLink && !project.sourceUrl) {
    throw new ProcessingError("source_missing", "This import has no link to download from. Start a new import with the video's link.");
  }
  if (!project.r2Key || !project.uploadCompletedAt) {
    throw new ProcessingError(
      "source_missing",
      fromLink
        ? "The video from this link was never fully downloaded, so there is nothing to process. Retry the import, or start a new one."
        : "The upload of this video never finished, so there is nothing to process. Upload the video again.",
      { hasKey: Boolean(project.r2Key), hasCompletedAt: Boolean(project.uploadCompletedAt) },
    );
  }
  // Only a key the server made for this owner is read: a row naming someone else's object
  // (logged for the operator) is, to this person, a source that is not there.
  if (!(await isOwnedKey(ownerId, project.r2Key, "processing source"))) {
    throw new ProcessingError(
      "source_missing",
      fromLink
        ? "The downloaded video is no longer in storage. Retry the import, or start a new one."
        : "The uploaded file is no longer in storage. Upload the video again.",
    );
  }
  const head = await headObject(project.r2Key);
  if (!head) {
    throw new ProcessingError(
      "source_missing",
      fromLink
        ? "The downloaded video is no longer in storage. Retry the import, or start a new one."
        : "The uploaded file is no longer in storage. Upload the video again.",
    );
  }
  if (project.sourceEtag !== null) {
    const verified = { key: project.r2Key, etag: project.sourceEtag, size: project.sourceSize ?? -1 };
    if (head.etag !== verified.etag || head.size !== verified.size) throw sourceChanged(verified, head);
    return verified;
  }
  if (head.size === 0) {
    throw new ProcessingError("empty_file", "The uploaded file is empty (0 bytes). Upload the video again.");
  }
  // Verified before the ETag was kept: the run holds on to the object it finds now.
  if (!head.etag) throw new Error(`storage gave no ETag for the source ${project.r2Key}`);
  log.info("source_etag_pinned_at_start", { projectId: project.id, key: project.r2Key });
  return { key: project.r2Key, etag: head.etag, size: head.size };
}
