import type { Db } from "@/lib/db/client";
import { camelRow, firstCamelRow } from "@/lib/db/camel-rows";
import type { TimelineKind } from "@/lib/db/queries/project-events";
import type { ProjectStatus } from "@/lib/db/queries/projects";

// The queries of process-video. Every write that belongs to a run is conditional on the
// run still holding the project (status `processing` and its run id), so a run that lost
// its project — deleted, failed by the reconciler, or taken over — cannot overwrite it.

export type RunClaim = { projectId: string; userId: string; runId: string };

export type ProcessingProject = {
  id: string;
  status: ProjectStatus;
  sourceType: "upload" | "url";
  sourceUrl: string | null;
  r2Key: string | null;
  uploadCompletedAt: Date | null;
  /** The source's ETag and size as completion verified them; null for a project verified before they were kept. */
  sourceEtag: string | null;
  sourceSize: number | null;
  processingRunId: string | null;
  processingAttempts: number;
};

export async function getProcessingProject(
  db: Db,
  params: { projectId: string; userId: string },
): Promise<ProcessingProject | null> {
  const rows = await db`
    select id, status, source_type, source_url, r2_key, upload_completed_at, source_etag,
           source_size::float8 as source_size, processing_run_id, processing_attempts
    from projects where id = ${params.projectId} and user_id = ${params.userId}`;
  return firstCamelRow<ProcessingProject>(rows);
}

/**
 * queued → processing for this run (or a retried step of the same run re-entering).
 * Returns the attempt number when the run holds the project, null when it does not.
 */
export async function claimProjectForRun(
  db: Db,
  params: RunClaim & { stage: string; progress: number },
): Promise<number | null> {
  const [row] = await db<{ attempts: number }[]>`
    update projects set
      status = 'processing',
      processing_attempts = processing_attempts
        + case when status = 'processing' then 0 else 1 end,
      processing_run_id = ${params.runId},
      stage = ${params.stage},
      progress = ${params.progress},
      error_code = null,
      error_message = null,
      last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId}
      and (status in ('queued', 'uploading') or (status = 'processing' and processing_run_id = ${params.runId}))
    returning processing_attempts as attempts`;
  return row?.attempts ?? null;
}

export type RunState = RunClaim & {
  stage?: string;
  progress: number;
  playbackKey?: string;
  thumbnailKey?: string;
};

/** The update of a running project's stage and progress, only while the run holds it. */
function runStateUpdate(db: Db, params: RunState) {
  return db`
    update projects set
      stage = ${params.stage === undefined ? db`stage` : params.stage},
      progress = greatest(progress, ${params.progress}),
      playback_key = ${params.playbackKey === undefined ? db`playback_key` : params.playbackKey},
      thumbnail_key = ${params.thumbnailKey === undefined ? db`thumbnail_key` : params.thumbnailKey},
      last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId}
      and status = 'processing' and processing_run_id = ${params.runId}
    returning id, user_id`;
}

/** Stage and progress of a running project; false when the run no longer holds it. */
export async function updateRunState(db: Db, params: RunState): Promise<boolean> {
  const rows = await runStateUpdate(db, params);
  return rows.length === 1;
}

/**
 * Stage and progress with the timeline event that tells of them, in one statement: the
 * event is written only when the run still holds the project. False when it does not.
 */
export async function updateRunStateWithEvent(
  db: Db,
  params: RunState,
  event: { kind: TimelineKind; message: string; data: Record<string, unknown> },
): Promise<boolean> {
  const rows = await db`
    with held as (${runStateUpdate(db, params)})
    insert into project_events (project_id, user_id, kind, message, data)
    select id, user_id, ${event.kind}, ${event.message}, ${db.json(event.data as never)} from held
    returning id`;
  return rows.length === 1;
}

export type StoredMediaInfo = {
  durationSeconds: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  details: Record<string, unknown>;
};

export async function saveMediaInfo(db: Db, params: RunClaim & { media: StoredMediaInfo }): Promise<boolean> {
  const m = params.media;
  const rows = await db`
    update projects set
      duration_seconds = ${m.durationSeconds}, width = ${m.width}, height = ${m.height},
      video_codec = ${m.videoCodec}, audio_codec = ${m.audioCodec}, media_info = ${db.json(m.details as never)}
    where id = ${params.projectId} and user_id = ${params.userId}
      and status = 'processing' and processing_run_id = ${params.runId}
    returning id`;
  return rows.length === 1;
}

/**
 * One clip row per position. A second run over the same project (a retry from the UI)
 * updates the row and keeps its share token, so links already shared keep working.
 */
export async function upsertClip(
  db: Db,
  params: {
    projectId: string;
    userId: string;
    position: number;
    startSeconds: number;
    endSeconds: number;
    key: string;
    thumbnailKey: string;
    newShareToken: string;
  },
): Promise<{ id: string; shareToken: string }> {
  const [row] = await db`
    insert into clips (project_id, user_id, position, start_seconds, end_seconds, key, thumbnail_key, share_token)
    values (${params.projectId}, ${params.userId}, ${params.position}, ${params.startSeconds}, ${params.endSeconds},
            ${params.key}, ${params.thumbnailKey}, ${params.newShareToken})
    on conflict (project_id, position) do update set
      start_seconds = excluded.start_seconds, end_seconds = excluded.end_seconds,
      key = excluded.key, thumbnail_key = excluded.thumbnail_key
    returning id, share_token`;
  return camelRow<{ id: string; shareToken: string }>(row!);
}

/** Removes clips a previous run made beyond the ones this run made. */
export async function deleteClipsFrom(db: Db, params: { projectId: string; userId: string; position: number }): Promise<void> {
  await db`
    delete from clips
    where project_id = ${params.projectId} and user_id = ${params.userId} and position >= ${params.position}`;
}

/** Whether the owner's project was counted already (it reached `ready` before). */
export async function isUsageCounted(db: Db, params: { projectId: string; userId: string }): Promise<boolean> {
  const [row] = await db`select 1 from usage_events where project_id = ${params.projectId} and user_id = ${params.userId}`;
  return Boolean(row);
}

/** Counts the project once, ever: the unique project_id makes a second insert a no-op. */
export async function recordUsage(db: Db, params: { projectId: string; userId: string; at: Date }): Promise<boolean> {
  const rows = await db`
    insert into usage_events (user_id, project_id, counted_at)
    values (${params.userId}, ${params.projectId}, ${params.at})
    on conflict (project_id) do nothing
    returning id`;
  return rows.length === 1;
}

/**
 * → error, for a run: while that run holds the project, or while no run does (queued:
 * the run failed before its claim). Never a project another run holds.
 */
export async function failProjectForRun(
  db: Db,
  params: RunClaim & { code: string; message: string },
): Promise<boolean> {
  const rows = await db`
    update projects set status = 'error', error_code = ${params.code}, error_message = ${params.message},
      last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId}
      and ((status = 'processing' and processing_run_id = ${params.runId}) or status in ('queued', 'uploading'))
    returning id`;
  return rows.length === 1;
}

/** processing → ready for the run that holds the project. */
export async function markProjectReady(db: Db, params: RunClaim): Promise<boolean> {
  const rows = await db`
    update projects set status = 'ready', stage = null, progress = 100,
      error_code = null, error_message = null, last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId}
      and status = 'processing' and processing_run_id = ${params.runId}
    returning id`;
  return rows.length === 1;
}
