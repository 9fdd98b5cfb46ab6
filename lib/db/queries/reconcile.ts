import type { Db } from "@/lib/db/client";
import { camelRows } from "@/lib/db/camel-rows";
import type { UploadMethod } from "@/lib/db/queries/uploads";

// What the reconciler looks for across all users: rows left behind by a process that died,
// a browser that went away, a job that never ran. Each row names its owner, and what the
// reconciler then changes goes through the owner-scoped queries.

/** Of these storage keys (under uploads/ and imports/), those an upload or a project row still stands for. */
export async function listKnownSourceKeys(db: Db, keys: string[]): Promise<string[]> {
  const rows = await db<{ key: string }[]>`
    select key from uploads where key = any(${keys})
    union select r2_key as key from projects where r2_key = any(${keys})`;
  return rows.map((r) => r.key);
}

/** Of these project ids, those whose project still exists. */
export async function listExistingProjectIds(db: Db, ids: string[]): Promise<string[]> {
  const rows = await db<{ id: string }[]>`select id::text from projects where id = any(${ids}::uuid[])`;
  return rows.map((r) => r.id);
}

/** Of these storage multipart upload ids, those an upload row knows. */
export async function listKnownStorageUploadIds(db: Db, ids: string[]): Promise<string[]> {
  const rows = await db<{ storage_upload_id: string }[]>`
    select storage_upload_id from uploads where storage_upload_id = any(${ids})`;
  return rows.map((r) => r.storage_upload_id);
}

export type OpenUpload = {
  id: string;
  userId: string;
  projectId: string;
  key: string;
  size: number;
  status: "uploading" | "completing";
  method: UploadMethod;
  partCount: number | null;
  storageUploadId: string | null;
  /** Parts in the manifest, and their bytes. */
  receivedParts: number;
  receivedBytes: number;
};

const openUploadColumns = (db: Db) => db`
  u.id, u.user_id, u.project_id, u.key, u.size, u.status, u.method, u.part_count, u.storage_upload_id,
  (select count(*)::int from upload_parts p where p.upload_id = u.id) as received_parts,
  (select coalesce(sum(p.size), 0)::bigint from upload_parts p where p.upload_id = u.id) as received_bytes`;

/** Uploads idle since `idleBefore`, and completion claims made before `staleClaimBefore` (their holder died). */
export async function listUploadsToComplete(
  db: Db,
  params: { idleBefore: Date; staleClaimBefore: Date; limit: number },
): Promise<OpenUpload[]> {
  const rows = await db`
    select ${openUploadColumns(db)}
    from uploads u
    where (u.status = 'uploading' and u.updated_at < ${params.idleBefore})
       or (u.status = 'completing' and u.claimed_at < ${params.staleClaimBefore})
    order by u.updated_at
    limit ${params.limit}`;
  return camelRows<OpenUpload>(rows);
}

/** Uploads still `uploading` after their expiry, the longest expired first. */
export async function listExpiredUploads(db: Db, params: { now: Date; limit: number }): Promise<OpenUpload[]> {
  const rows = await db`
    select ${openUploadColumns(db)}
    from uploads u where u.status = 'uploading' and u.expires_at < ${params.now}
    order by u.expires_at limit ${params.limit}`;
  return camelRows<OpenUpload>(rows);
}

/** A project waiting on a job run, and when it last moved. */
export type WaitingCandidate = {
  id: string;
  userId: string;
  stage: string | null;
  stallRetries: number;
  sourceUrl: string | null;
  lastTouchedAt: Date;
};

/** `processing` projects whose progress has not moved since `before`. */
export async function listStalledProcessing(db: Db, before: Date, limit: number): Promise<WaitingCandidate[]> {
  const rows = await db`
    select id, user_id, stage, stall_retries, source_url, last_progress_at as last_touched_at
    from projects where status = 'processing' and last_progress_at < ${before}
    order by last_progress_at limit ${limit}`;
  return camelRows<WaitingCandidate>(rows);
}

/**
 * Jobs handed to the runner that no run has taken, untouched since `before`: `queued`
 * projects, or link imports still downloading (`uploading`, nothing stored). One whose
 * event (`eventName`) is still unsent is the outbox's to resend and is left out.
 */
export async function listUntakenJobs(
  db: Db,
  params: { waiting: "queued" | "importing"; eventName: string; before: Date; limit: number },
): Promise<WaitingCandidate[]> {
  const rows = await db`
    select p.id, p.user_id, p.stage, p.stall_retries, p.source_url,
           coalesce(p.last_progress_at, p.created_at) as last_touched_at
    from projects p
    where ${
      params.waiting === "queued"
        ? db`p.status = 'queued'`
        : db`p.status = 'uploading' and p.source_type = 'url' and p.source_url is not null and p.r2_key is null`
    }
      and coalesce(p.last_progress_at, p.created_at) < ${params.before}
      and not exists (
        select 1 from outbox o where o.project_id = p.id and o.event_name = ${params.eventName} and o.sent_at is null)
    order by 6 limit ${params.limit}`;
  return camelRows<WaitingCandidate>(rows);
}
