import type { Db } from "@/lib/db/client";
import { camelRows, firstCamelRow } from "@/lib/db/camel-rows";

export type ProjectStatus = "uploading" | "queued" | "processing" | "ready" | "error" | "canceled" | "expired";

export type ProjectRow = {
  id: string;
  userId: string;
  title: string;
  status: ProjectStatus;
  stage: string | null;
  progress: number;
  errorCode: string | null;
  errorMessage: string | null;
  sourceType: "upload" | "url";
  sourceUrl: string | null;
  r2Key: string | null;
  uploadCompletedAt: Date | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  thumbnailKey: string | null;
  playbackKey: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const projectColumns = (db: Db) => db`
  id, user_id, title, status, stage, progress, error_code, error_message, source_type, source_url,
  r2_key, upload_completed_at, duration_seconds, width, height, video_codec, audio_codec,
  thumbnail_key, playback_key, created_at, updated_at`;

export async function getProject(db: Db, params: { userId: string; projectId: string }): Promise<ProjectRow | null> {
  const rows = await db`
    select ${projectColumns(db)} from projects
    where id = ${params.projectId} and user_id = ${params.userId}`;
  return firstCamelRow<ProjectRow>(rows);
}

/** Newest first; `before` is the cursor (createdAt + id of the last row of the previous page). */
export async function listProjects(
  db: Db,
  params: { userId: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<ProjectRow[]> {
  const cursor = params.before;
  const rows = await db`
    select ${projectColumns(db)} from projects
    where user_id = ${params.userId}
      ${cursor ? db`and (created_at, id) < (${cursor.createdAt}, ${cursor.id})` : db``}
    order by created_at desc, id desc
    limit ${params.limit}`;
  return camelRows<ProjectRow>(rows);
}

/** Projects of a user changed after `since` (the live list's feed), oldest change first. */
export async function listProjectsChangedSince(
  db: Db,
  params: { userId: string; since: Date; limit: number },
): Promise<ProjectRow[]> {
  const rows = await db`
    select ${projectColumns(db)} from projects
    where user_id = ${params.userId} and updated_at > ${params.since}
    order by updated_at, id
    limit ${params.limit}`;
  return camelRows<ProjectRow>(rows);
}

export async function renameProject(
  db: Db,
  params: { userId: string; projectId: string; title: string },
): Promise<ProjectRow | null> {
  const rows = await db`
    update projects set title = ${params.title}
    where id = ${params.projectId} and user_id = ${params.userId}
    returning ${projectColumns(db)}`;
  return firstCamelRow<ProjectRow>(rows);
}

export type ProjectStatusFields = Partial<{
  stage: string | null;
  progress: number;
  errorCode: string | null;
  errorMessage: string | null;
  r2Key: string;
  uploadCompletedAt: Date;
}>;

/**
 * The one way a project's status changes: a conditional UPDATE from one of `from` to `to`,
 * with the fields given (the others keep their values). Returns whether it won.
 */
export async function updateProjectStatus(
  db: Db,
  params: { projectId: string; userId: string; from: ProjectStatus[]; to: ProjectStatus; fields?: ProjectStatusFields },
): Promise<boolean> {
  const f = params.fields ?? {};
  const rows = await db`
    update projects set
      status = ${params.to},
      stage = ${f.stage === undefined ? db`stage` : f.stage},
      progress = ${f.progress === undefined ? db`progress` : f.progress},
      error_code = ${f.errorCode === undefined ? db`error_code` : f.errorCode},
      error_message = ${f.errorMessage === undefined ? db`error_message` : f.errorMessage},
      r2_key = ${f.r2Key === undefined ? db`r2_key` : f.r2Key},
      upload_completed_at = ${f.uploadCompletedAt === undefined ? db`upload_completed_at` : f.uploadCompletedAt},
      last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId} and status in ${db(params.from)}
    returning id`;
  return rows.length === 1;
}

/** What a status-change webhook says about the project: its status now, title and error; null once it is deleted. */
export async function getProjectStatusAndError(
  db: Db,
  params: { userId: string; projectId: string },
): Promise<{ status: ProjectStatus; title: string; errorCode: string | null; errorMessage: string | null } | null> {
  const rows = await db`
    select status, title, error_code, error_message from projects where id = ${params.projectId} and user_id = ${params.userId}`;
  return firstCamelRow(rows);
}

/**
 * Puts a project that waits on a job run back where a new run picks it up, counting the
 * restart: a stalled `processing` run's claim is released (→ `queued`, stage and progress
 * reset); a `queued` project and an import's `uploading` stay as they are. Conditional on
 * the project not having moved since `lastTouchedBefore`. Returns its re-drive count, or
 * null when it did not win.
 */
export async function markProjectRedriven(
  tx: Db,
  params: { projectId: string; userId: string; status: "processing" | "queued" | "uploading"; lastTouchedBefore: Date },
): Promise<number | null> {
  const stalledRun = params.status === "processing";
  const [row] = await tx<{ redrives: number }[]>`
    update projects set
      status = ${stalledRun ? "queued" : params.status},
      processing_run_id = null,
      stage = ${stalledRun ? null : tx`stage`},
      progress = ${params.status === "uploading" ? tx`progress` : 0},
      stall_retries = stall_retries + 1,
      redrives = redrives + 1,
      last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId} and status = ${params.status}
      and coalesce(last_progress_at, created_at) < ${params.lastTouchedBefore}
    returning redrives`;
  return row?.redrives ?? null;
}

/** The size completion verified the project's source at (null before sizes were kept). */
export async function getProjectSourceSize(db: Db, params: { userId: string; projectId: string }): Promise<number | null> {
  const [row] = await db<{ source_size: number | null }[]>`
    select source_size from projects where id = ${params.projectId} and user_id = ${params.userId}`;
  return row?.source_size ?? null;
}

/** Deletes a project (uploads, parts, clips and timeline go with it); returns the upload keys it had. */
export async function deleteProject(
  db: Db,
  params: { userId: string; projectId: string },
): Promise<{ uploadKeys: string[] } | null> {
  const uploads = await db<{ key: string }[]>`
    select key from uploads where project_id = ${params.projectId} and user_id = ${params.userId}`;
  const deleted = await db`
    delete from projects where id = ${params.projectId} and user_id = ${params.userId} returning id`;
  if (deleted.length === 0) return null;
  return { uploadKeys: uploads.map((u) => u.key) };
}
