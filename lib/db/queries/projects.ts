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
