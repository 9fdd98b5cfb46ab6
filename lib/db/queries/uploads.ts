import type { Db } from "@/lib/db/client";
import { camelRow, camelRows, firstCamelRow } from "@/lib/db/camel-rows";

export type UploadMethod = "single" | "multipart";
export type UploadStatus = "uploading" | "completing" | "completed" | "aborted" | "expired" | "failed";

export type UploadRow = {
  id: string;
  projectId: string;
  userId: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  method: UploadMethod;
  storageUploadId: string | null;
  partSize: number | null;
  partCount: number | null;
  status: UploadStatus;
  expiresAt: Date;
  claimedAt: Date | null;
  completedAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
};

export type UploadPartRow = { partNumber: number; etag: string; size: number };

const uploadColumns = (db: Db) => db`
  id, project_id, user_id, key, filename, content_type, size, method, storage_upload_id, part_size, part_count,
  status, expires_at, claimed_at, completed_at, error_code, error_message, created_at`;

/** The project an upload fills, created in `uploading` before any URL is handed out. */
export async function insertUploadProject(db: Db, params: { userId: string; title: string }): Promise<{ id: string }> {
  const [row] = await db<{ id: string }[]>`
    insert into projects (user_id, title, status, source_type)
    values (${params.userId}, ${params.title}, 'uploading', 'upload')
    returning id`;
  return row!;
}

/** What an upload is created with; status, claim, completion and error start empty. */
type NewUpload = Pick<
  UploadRow,
  "id" | "projectId" | "userId" | "key" | "filename" | "contentType" | "size" | "method" | "storageUploadId" | "partSize" | "partCount" | "expiresAt"
>;

export async function insertUpload(db: Db, params: NewUpload): Promise<UploadRow> {
  const [row] = await db`
    insert into uploads (id, project_id, user_id, key, filename, content_type, size, method,
                         storage_upload_id, part_size, part_count, expires_at)
    values (${params.id}, ${params.projectId}, ${params.userId}, ${params.key}, ${params.filename},
            ${params.contentType}, ${params.size}, ${params.method}, ${params.storageUploadId},
            ${params.partSize}, ${params.partCount}, ${params.expiresAt})
    returning ${uploadColumns(db)}`;
  return camelRow<UploadRow>(row!);
}

export async function getUpload(
  db: Db,
  params: { userId: string; uploadId: string; lock?: "share" | "update" },
): Promise<UploadRow | null> {
  const lock = params.lock === "update" ? db`for update` : params.lock === "share" ? db`for share` : db``;
  const rows = await db`
    select ${uploadColumns(db)} from uploads
    where id = ${params.uploadId} and user_id = ${params.userId}
    ${lock}`;
  return firstCamelRow<UploadRow>(rows);
}

export async function listUploadParts(db: Db, params: { userId: string; uploadId: string }): Promise<UploadPartRow[]> {
  const rows = await db`
    select part_number, etag, size from upload_parts
    where upload_id = ${params.uploadId} and user_id = ${params.userId}
    order by part_number`;
  return camelRows<UploadPartRow>(rows);
}

/** Records received parts; a part uploaded again replaces its earlier entry. */
export async function upsertUploadParts(
  db: Db,
  params: { userId: string; uploadId: string; parts: { partNumber: number; etag: string; size: number }[] },
): Promise<UploadPartRow[]> {
  const rows = await db`
    insert into upload_parts (upload_id, user_id, part_number, etag, size)
    select ${params.uploadId}, ${params.userId}, p."partNumber", p.etag, p.size
    from jsonb_to_recordset(${db.json(params.parts as never)}) as p("partNumber" integer, etag text, size bigint)
    on conflict (upload_id, part_number)
      do update set etag = excluded.etag, size = excluded.size, recorded_at = now()
    returning part_number, etag, size`;
  return camelRows<UploadPartRow>(rows);
}

export async function deleteUploadParts(db: Db, params: { userId: string; uploadId: string }): Promise<void> {
  await db`delete from upload_parts where upload_id = ${params.uploadId} and user_id = ${params.userId}`;
}

/**
 * The atomic claim that picks the one caller who completes an upload: `uploading` →
 * `completing`, or taking over a claim older than `staleClaimBefore` (its holder died).
 * `claimedAt` is the claim's token: later writes by the claimer are conditional on it.
 */
export async function claimUploadForCompletion(
  db: Db,
  params: { userId: string; uploadId: string; claimedAt: Date; staleClaimBefore: Date },
): Promise<UploadRow | null> {
  const rows = await db`
    update uploads set status = 'completing', claimed_at = ${params.claimedAt}
    where id = ${params.uploadId} and user_id = ${params.userId}
      and (status = 'uploading' or (status = 'completing' and claimed_at < ${params.staleClaimBefore}))
    returning ${uploadColumns(db)}`;
  return firstCamelRow<UploadRow>(rows);
}

/** The upload, while the claim made at `claimedAt` (a completion's or a cancellation's) still holds it. */
const claimStillHeld = (db: Db, params: { userId: string; uploadId: string; claimedAt: Date }) => db`
  id = ${params.uploadId} and user_id = ${params.userId} and status = 'completing' and claimed_at = ${params.claimedAt}`;

/** Gives a claim back (`completing` → `uploading`) so a later call can complete the upload. */
export async function releaseUploadClaim(
  db: Db,
  params: { userId: string; uploadId: string; claimedAt: Date },
): Promise<boolean> {
  const rows = await db`
    update uploads set status = 'uploading', claimed_at = null
    where ${claimStillHeld(db, params)}
    returning id`;
  return rows.length === 1;
}

export async function markUploadCompleted(
  db: Db,
  params: { userId: string; uploadId: string; claimedAt: Date; completedAt: Date },
): Promise<boolean> {
  const rows = await db`
    update uploads set status = 'completed', completed_at = ${params.completedAt}, error_code = null, error_message = null
    where ${claimStillHeld(db, params)}
    returning id`;
  return rows.length === 1;
}

export async function markUploadFailed(
  db: Db,
  params: { userId: string; uploadId: string; claimedAt: Date; code: string; message: string },
): Promise<boolean> {
  const rows = await db`
    update uploads set status = 'failed', error_code = ${params.code}, error_message = ${params.message}
    where ${claimStillHeld(db, params)}
    returning id`;
  return rows.length === 1;
}

/** `uploading` → `expired`: the reconciler's end for an upload past its expiry. */
export async function markUploadExpired(db: Db, params: { userId: string; uploadId: string }): Promise<boolean> {
  const rows = await db`
    update uploads set status = 'expired'
    where id = ${params.uploadId} and user_id = ${params.userId} and status = 'uploading'
    returning id`;
  return rows.length === 1;
}

/**
 * Claims an `uploading` upload for cancelling, with the same claim a completion makes
 * (`completing`, `claimedAt` its token), so no completion can claim it while storage
 * aborts it. Unlike a completion, it never takes over another claim.
 */
export async function claimUploadForAbort(
  db: Db,
  params: { userId: string; uploadId: string; claimedAt: Date },
): Promise<boolean> {
  const rows = await db`
    update uploads set status = 'completing', claimed_at = ${params.claimedAt}
    where id = ${params.uploadId} and user_id = ${params.userId} and status = 'uploading'
    returning id`;
  return rows.length === 1;
}

/** The abort claim's end: `completing` (claimed at `claimedAt`) → `aborted`. */
export async function markUploadAborted(
  db: Db,
  params: { userId: string; uploadId: string; claimedAt: Date },
): Promise<boolean> {
  const rows = await db`
    update uploads set status = 'aborted'
    where ${claimStillHeld(db, params)}
    returning id`;
  return rows.length === 1;
}

export type OpenMultipartUpload = { uploadId: string; key: string; storageUploadId: string };

/** The multipart uploads of a project that storage still holds open (read before its rows go). */
export async function listOpenMultipartUploadsOfProject(
  db: Db,
  params: { userId: string; projectId: string },
): Promise<OpenMultipartUpload[]> {
  const rows = await db`
    select id as upload_id, key, storage_upload_id from uploads
    where project_id = ${params.projectId} and user_id = ${params.userId}
      and method = 'multipart' and storage_upload_id is not null and status in ('uploading', 'completing')`;
  return camelRows<OpenMultipartUpload>(rows);
}
