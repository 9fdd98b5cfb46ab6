import type { Db } from "@/lib/db/client";
import { firstCamelRow } from "@/lib/db/camel-rows";
import type { ProjectStatus } from "@/lib/db/queries/projects";

// Link imports are projects with source `url`: `uploading` while import-url downloads the
// link, with no r2_key until the download is stored and verified.

/** The project of a pasted link, created in `uploading` (stage `download`) before the download starts. */
export async function insertImportProject(db: Db, params: { userId: string; title: string; url: string }): Promise<{ id: string }> {
  const [row] = await db<{ id: string }[]>`
    insert into projects (user_id, title, status, stage, source_type, source_url)
    values (${params.userId}, ${params.title}, 'uploading', 'download', 'url', ${params.url})
    returning id`;
  return row!;
}

export type ImportProjectState = { status: ProjectStatus; sourceType: "upload" | "url"; sourceUrl: string | null; r2Key: string | null };

export async function getImportProjectState(db: Db, params: { userId: string; projectId: string }): Promise<ImportProjectState | null> {
  const rows = await db`
    select status, source_type, source_url, r2_key
    from projects where id = ${params.projectId} and user_id = ${params.userId}`;
  return firstCamelRow<ImportProjectState>(rows);
}

/** Whether this person's project imports exactly this link. */
export async function isImportOf(db: Db, params: { userId: string; projectId: string; url: string }): Promise<boolean> {
  const rows = await db`
    select 1 from projects
    where id = ${params.projectId} and user_id = ${params.userId} and source_type = 'url' and source_url = ${params.url}`;
  return rows.length > 0;
}

/** Whether the project still waits for its download: not deleted, failed or already stored. */
export async function isWaitingForDownload(db: Db, params: { userId: string; projectId: string }): Promise<boolean> {
  const rows = await db`
    select 1 from projects where id = ${params.projectId} and user_id = ${params.userId} and status = 'uploading' and r2_key is null`;
  return rows.length > 0;
}

export async function updateDownloadProgress(db: Db, params: { userId: string; projectId: string; progress: number }): Promise<void> {
  await db`
    update projects set progress = ${params.progress}, last_progress_at = now()
    where id = ${params.projectId} and user_id = ${params.userId} and status = 'uploading'`;
}
