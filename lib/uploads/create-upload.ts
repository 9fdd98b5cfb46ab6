import { randomUUID } from "node:crypto";
import { AppError } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db, type Db } from "@/lib/db/client";
import { insertUpload, insertUploadProject, type UploadMethod } from "@/lib/db/queries/uploads";
import { formatBytes } from "@/lib/format";
import { getUserPlan, reserveVideoSlot } from "@/lib/billing/usage";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { uploadKey } from "@/lib/storage/keys";
import { abortMultipartUpload, createMultipartUpload } from "@/lib/storage/multipart";
import { presignPut } from "@/lib/storage/presign";
import { checkFilename } from "./check-filename";
import { planParts } from "./plan-parts";
import { signPartUrls, type SignedPart } from "./sign-parts";
import { uploadDeadline } from "./upload-deadline";
import type { CreateUploadBody } from "./schemas";
import { checkVideoType } from "./video-types";

export type CreatedUpload = {
  uploadId: string;
  projectId: string;
  key: string;
  method: UploadMethod;
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  partCount?: number;
  /** Multipart: presigned URLs for the first parts (up to FIRST_PART_URLS), so the bytes can start without another request. */
  parts?: SignedPart[];
  /** Multipart: when the URLs in `parts` stop working. */
  partsExpiresAt?: string;
  /** When the URL in this response stops working (single); when the upload itself expires (multipart). */
  expiresAt: string;
  uploadExpiresAt: string;
};

/**
 * Part URLs signed with the upload: every part of a file up to about 1.5 GiB at the default
 * part size, and enough of a larger one to keep its transfer busy while it signs the rest
 * in batches — so most uploads never make a signing request. Each URL costs about 30 µs
 * and half a kilobyte of response.
 */
export const FIRST_PART_URLS = 100;

export type CreateUploadDeps = {
  now: () => Date;
  createMultipart: typeof createMultipartUpload;
  abortMultipart: typeof abortMultipartUpload;
};

const defaultDeps: CreateUploadDeps = {
  now: () => new Date(),
  createMultipart: createMultipartUpload,
  abortMultipart: abortMultipartUpload,
};

/**
 * The plan's size limit and a free slot of its monthly videos, under the user's quota lock
 * (reserveVideoSlot): the new project row, written in the same transaction, takes the slot.
 */
async function checkPlanAllows(tx: Db, params: { userId: string; size: number; now: Date }): Promise<void> {
  const { plan } = await getUserPlan(tx, params.userId, params.now);
  if (params.size > plan.maxUploadBytes) {
    throw new AppError(
      "file_too_large",
      `This file is ${formatBytes(params.size)}; the ${plan.name} plan accepts videos up to ${formatBytes(plan.maxUploadBytes)}. ` +
        "Upgrade on the billing page or upload a shorter or smaller video.",
      { size: params.size, limit: plan.maxUploadBytes, plan: plan.id },
    );
  }
  await reserveVideoSlot(tx, params.userId, params.now);
}

/**
 * Validates an upload request and records it — project (`uploading`), upload row,
 * timeline — before any URL exists; then signs where the bytes go. Nothing the client
 * sends becomes part of the key except through safeFilename. The rows are written on the
 * server's connection, owned by the signed-in user: people may not write them themselves
 * (the size and key they hold decide what gets signed).
 */
export async function createUpload(
  params: { claims: UserClaims } & CreateUploadBody,
  deps: CreateUploadDeps = defaultDeps,
): Promise<CreatedUpload> {
  const userId = params.claims.sub;
  const filename = checkFilename(params.filename);
  const contentType = checkVideoType(filename, params.contentType);
  const settings = env();
  const now = deps.now();
  const uploadId = randomUUID();
  const key = uploadKey(userId, uploadId, filename);
  const method: UploadMethod = params.size > settings.UPLOAD_SINGLE_PUT_MAX_BYTES ? "multipart" : "single";
  const parts = method === "multipart" ? planParts(params.size, settings.UPLOAD_PART_SIZE_BYTES) : null;
  const uploadExpiresAt = uploadDeadline(now, settings);

  const allowance = { userId, size: params.size, now };
  let storageUploadId: string | null = null;
  if (method === "multipart") {
    // Storage is called outside any transaction, so no lock waits on it. A request the plan
    // refuses is refused first and never reaches storage; the check runs again with the
    // rows below (a request racing for the last slot may take it meanwhile). A multipart
    // upload whose rows are then refused or fail is aborted below; one whose process dies
    // before the commit is open with no row knowing it, which the reconciler's orphan sweep
    // aborts after its grace period (lib/reconcile/clean-orphans.ts).
    await db().begin((tx) => checkPlanAllows(tx, allowance));
    storageUploadId = await deps.createMultipart(key, contentType);
  }
  let projectId: string;
  try {
    projectId = await db().begin(async (tx) => {
      await checkPlanAllows(tx, allowance);
      const project = await insertUploadProject(tx, { userId, title: filename });
      await insertUpload(tx, {
        id: uploadId,
        projectId: project.id,
        userId,
        key,
        filename,
        contentType,
        size: params.size,
        method,
        storageUploadId,
        partSize: parts?.partSize ?? null,
        partCount: parts?.partCount ?? null,
        expiresAt: uploadExpiresAt,
      });
      await addTimelineEvent(tx, {
        projectId: project.id,
        userId,
        kind: "upload_started",
        message: `Upload started: ${formatBytes(params.size)}${parts ? ` in ${parts.partCount} parts` : ""}.`,
        data: { uploadId, method, size: params.size },
      });
      return project.id;
    });
  } catch (error) {
    if (storageUploadId) {
      await deps.abortMultipart(key, storageUploadId).catch((abortError: unknown) =>
        log.warn("upload_create_abort_failed", { key, error: abortError }),
      );
    }
    throw error;
  }

  const base = { uploadId, projectId, key, method, uploadExpiresAt: uploadExpiresAt.toISOString() };
  const ttl = settings.UPLOAD_URL_TTL_SECONDS;
  if (parts) {
    const firstParts = Array.from({ length: Math.min(parts.partCount, FIRST_PART_URLS) }, (_, i) => i + 1);
    return {
      ...base,
      partSize: parts.partSize,
      partCount: parts.partCount,
      parts: await signPartUrls({ key, storageUploadId: storageUploadId!, size: params.size, partSize: parts.partSize }, firstParts, ttl),
      partsExpiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      expiresAt: base.uploadExpiresAt,
    };
  }
  const url = await presignPut({ key, contentType, contentLength: params.size, expiresInSeconds: ttl });
  return {
    ...base,
    url,
    headers: { "Content-Type": contentType },
    expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
  };
}
