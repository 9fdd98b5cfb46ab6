import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import type { ProjectRow } from "@/lib/db/queries/projects";
import { putObject } from "@/lib/storage/objects";
import { outputKeys } from "@/lib/storage/keys";
import type { TestUser } from "../../support/users";

type ProjectFields = Partial<
  Pick<
    ProjectRow,
    | "title"
    | "status"
    | "stage"
    | "progress"
    | "errorCode"
    | "errorMessage"
    | "sourceType"
    | "sourceUrl"
    | "r2Key"
    | "uploadCompletedAt"
    | "createdAt"
  >
>;

/** Inserts a project row the way the pipeline leaves it, as the server (no RLS). */
export async function insertProject(owner: TestUser, fields: ProjectFields = {}): Promise<string> {
  const [row] = await db()<{ id: string }[]>`
    insert into projects (user_id, title, status, stage, progress, error_code, error_message, source_type,
                          source_url, r2_key, upload_completed_at, created_at)
    values (${owner.id}, ${fields.title ?? "talk.mp4"}, ${fields.status ?? "processing"}, ${fields.stage ?? null},
            ${fields.progress ?? 0}, ${fields.errorCode ?? null}, ${fields.errorMessage ?? null},
            ${fields.sourceType ?? "upload"}, ${fields.sourceUrl ?? null}, ${fields.r2Key ?? null},
            ${fields.uploadCompletedAt ?? null}, ${fields.createdAt ?? new Date()})
    returning id`;
  return row!.id;
}

/** Stores outputs and a clip for a project and marks it ready, as process-video would. */
export async function makeReady(owner: TestUser, projectId: string): Promise<{ shareToken: string }> {
  const playback = outputKeys.playback(owner.id, projectId);
  const thumbnail = outputKeys.thumbnail(owner.id, projectId);
  const clip = outputKeys.clip(owner.id, projectId, 1);
  const clipThumbnail = outputKeys.clipThumbnail(owner.id, projectId, 1);
  await putObject(playback, Buffer.from("web mp4 bytes"), { contentType: "video/mp4" });
  await putObject(thumbnail, Buffer.from("thumbnail bytes"), { contentType: "image/jpeg" });
  await putObject(clip, Buffer.from("clip bytes"), { contentType: "video/mp4" });
  await putObject(clipThumbnail, Buffer.from("clip thumbnail bytes"), { contentType: "image/jpeg" });
  const shareToken = randomBytes(18).toString("base64url");
  await db()`
    update projects set status = 'ready', stage = null, progress = 100, playback_key = ${playback},
      thumbnail_key = ${thumbnail}, duration_seconds = 61.2, width = 1280, height = 720,
      video_codec = 'h264', audio_codec = 'aac'
    where id = ${projectId}`;
  await db()`
    insert into clips (project_id, user_id, position, start_seconds, end_seconds, key, thumbnail_key, share_token)
    values (${projectId}, ${owner.id}, 1, 10, 25, ${clip}, ${clipThumbnail}, ${shareToken})`;
  await db()`
    insert into project_events (project_id, user_id, kind, message)
    values (${projectId}, ${owner.id}, 'ready', 'Your video is ready.')`;
  return { shareToken };
}

export async function setStatus(projectId: string, fields: { status: string; stage?: string | null; progress?: number }) {
  await db()`
    update projects set status = ${fields.status}, stage = ${fields.stage ?? null}, progress = ${fields.progress ?? 0}
    where id = ${projectId}`;
}
