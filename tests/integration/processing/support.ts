import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, expect } from "vitest";
import { processVideoFunction } from "@/inngest/functions/process-video";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { ffprobePath } from "@/lib/media/binaries";
import { projectPrefix } from "@/lib/storage/keys";
import { getObjectRange, headObject, listObjects, putObject } from "@/lib/storage/objects";
import type { TestMedia } from "@/tests/support/media";

// The starting state a verified upload leaves (r2_key, upload_completed_at, status
// queued), made directly, and views of everything a run writes back.

export async function queuedProject(
  userId: string,
  media: TestMedia | null,
  options: { status?: string; withKey?: boolean; withCompletedAt?: boolean; title?: string; sourceUrl?: string } = {},
): Promise<{ projectId: string; key: string }> {
  const projectId = randomUUID();
  const key = `uploads/${userId}/${randomUUID()}/${media?.filename ?? "video.mp4"}`;
  if (media) await putObject(key, media.bytes, { contentType: media.contentType });
  await db()`
    insert into projects (id, user_id, title, status, source_type, source_url, r2_key, upload_completed_at)
    values (${projectId}, ${userId}, ${options.title ?? media?.filename ?? "video"}, ${options.status ?? "queued"},
            ${options.sourceUrl ? "url" : "upload"}, ${options.sourceUrl ?? null},
            ${options.withKey === false ? null : key}, ${options.withCompletedAt === false ? null : new Date()})`;
  return { projectId, key };
}

export function processEvent(projectId: string, userId: string, id = `process-${projectId}`) {
  return { name: "video/process" as const, id, data: { projectId, userId } };
}

/** Runs process-video through @inngest/test's engine: real steps, real services. */
export function testEngine(projectId: string, userId: string, eventId?: string): InngestTestEngine {
  return new InngestTestEngine({ function: processVideoFunction(), events: [processEvent(projectId, userId, eventId)] });
}

export type ProjectView = {
  status: string;
  stage: string | null;
  progress: number;
  errorCode: string | null;
  errorMessage: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  mediaInfo: any;
  playbackKey: string | null;
  thumbnailKey: string | null;
  processingAttempts: number;
};

export async function projectView(projectId: string): Promise<ProjectView> {
  const [row] = await db()<ProjectView[]>`
    select status, stage, progress, error_code as "errorCode", error_message as "errorMessage",
           duration_seconds as "durationSeconds", width, height, video_codec as "videoCodec",
           audio_codec as "audioCodec", media_info as "mediaInfo", playback_key as "playbackKey",
           thumbnail_key as "thumbnailKey", processing_attempts as "processingAttempts"
    from projects where id = ${projectId}`;
  return row!;
}

export async function timeline(projectId: string): Promise<{ kind: string; message: string; data: any }[]> {
  return db()`select kind, message, data from project_events where project_id = ${projectId} order by id` as never;
}

export async function clipRows(projectId: string): Promise<
  { position: number; startSeconds: number; endSeconds: number; key: string; thumbnailKey: string; shareToken: string }[]
> {
  return db()`
    select position, start_seconds as "startSeconds", end_seconds as "endSeconds", key,
           thumbnail_key as "thumbnailKey", share_token as "shareToken"
    from clips where project_id = ${projectId} order by position` as never;
}

export async function usageRows(projectId: string): Promise<number> {
  const [row] = await db()<{ count: number }[]>`select count(*)::int as count from usage_events where project_id = ${projectId}`;
  return row!.count;
}

/**
 * The stored outputs of a project: names under its prefix (web.mp4, thumbnail.jpg) and its
 * shared clip files, named `shared/<position>/clip.mp4|thumbnail.jpg` after the position
 * their recorded random id belongs to (the real key is shared/<id>/…).
 */
export async function outputObjects(userId: string, projectId: string): Promise<string[]> {
  const underPrefix = (await listObjects(projectPrefix(userId, projectId))).map((o) => o.key.slice(projectPrefix(userId, projectId).length));
  const shared = await db()<{ id: string; position: number }[]>`
    select id, position from shared_outputs where user_id = ${userId} and project_id = ${projectId}`;
  const sharedStored: string[] = [];
  for (const { id, position } of shared) {
    for (const name of ["clip.mp4", "thumbnail.jpg"]) {
      if (await headObject(`shared/${id}/${name}`)) sharedStored.push(`shared/${position}/${name}`);
    }
  }
  return [...underPrefix, ...sharedStored].sort();
}

/** What outputObjects lists for a ready project with these clips. */
export function expectedOutputs(clips: { position: number }[]): string[] {
  return ["thumbnail.jpg", "web.mp4", ...clips.flatMap((c) => [`shared/${c.position}/clip.mp4`, `shared/${c.position}/thumbnail.jpg`])].sort();
}

export async function objectBytes(key: string): Promise<Buffer> {
  const head = await headObject(key);
  if (!head) throw new Error(`no object ${key}`);
  return head.size === 0 ? Buffer.alloc(0) : getObjectRange(key, 0, head.size - 1);
}

/** Sets a user's usage for the current month (rows for made-up projects). */
export async function useVideos(userId: string, count: number, at = new Date()): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db()`insert into usage_events (user_id, project_id, counted_at) values (${userId}, ${randomUUID()}, ${at})`;
  }
}

const execFileAsync = promisify(execFile);

export type ProbedStream = { codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string; side_data_list?: unknown[] };

/** ffprobe of a stored object, as an independent check of what the pipeline wrote. */
export async function probeStored(key: string): Promise<{ streams: ProbedStream[]; format: { duration: string; format_name: string } }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-check-"));
  try {
    const file = path.join(dir, path.basename(key));
    await writeFile(file, await objectBytes(key));
    const { stdout } = await execFileAsync(ffprobePath(), ["-v", "error", "-of", "json", "-show_streams", "-show_format", file]);
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Scratch folders the pipeline left behind in its temp root. */
export async function leftoverScratchDirs(root: string): Promise<string[]> {
  return (await readdir(root).catch(() => [] as string[])).filter((name) => name.startsWith("clipcrafter-media-"));
}

/**
 * Gives this test file's runs their own scratch folder (MEDIA_TEMP_DIR) and checks, after
 * all its tests, that every run removed the folders it made — on success and failure alike.
 */
export function isolateScratchFolders(label: string): void {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), `clipcrafter-scratch-${label}-`));
    setEnvForProcess({ MEDIA_TEMP_DIR: root });
  });
  afterAll(async () => {
    expect(await leftoverScratchDirs(root)).toEqual([]);
  });
}
