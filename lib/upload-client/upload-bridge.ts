import type { PresignableRequest, PresignedResponse } from "./s3-request-types";
import { ApiError } from "@/lib/api-client/request";
import { uploadsApi, type CompletedUpload, type UploadStatus } from "@/lib/api-client/uploads";
import { PartRecorder } from "./part-recorder";
import { completeReply, emptyReply, listPartsReply } from "./storage-replies";
import { fileFingerprint, ResumeStore, type StoredUpload } from "./resume-store";

// Connects Uppy's S3 plugin to the Uploads API. Before Uppy sends a byte, `prepare` asks
// the server for the upload (or finds the one a reload cut off, by the file's
// fingerprint); `signRequest` then hands the plugin the server's presigned URLs (the first
// ones came with the upload, more are signed in batches), stored parts go to the server's
// manifest every few seconds (PartRecorder), and the control calls the server owns are
// answered here (see storage-replies.ts). `complete` asks the server to finish and verify.

export type UploadPlan = {
  uploadId: string;
  projectId: string;
  key: string;
  method: "single" | "multipart";
  size: number;
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  partCount?: number;
  /** Bytes the server already had when this upload was picked up again after a reload. */
  resumedBytes: number;
};

export type LocalFile = { id: string; name: string; size: number; type: string; data: Blob };

const UNPREPARED_PREFIX = "unprepared:";

/** Part URLs signed per request, beyond those the upload came with: a round trip per 32 parts. */
export const PART_URL_BATCH = 32;
/**
 * PUTs to storage in flight at once, across the queue: a browser's HTTP/1.1 connection limit
 * per origin (storage is its own origin, so the app's API calls do not wait behind them).
 */
export const PARALLEL_STORAGE_REQUESTS = 6;
/** A part URL this close to expiry is signed again rather than risked. */
const URL_EXPIRY_MARGIN_MS = 60_000;

const containerTypes: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/x-m4v",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
};

/** The browser leaves `type` empty for some containers (often .mkv); the extension says what it is. */
export function contentTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return containerTypes[extension] ?? "application/octet-stream";
}

export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.max(0, Math.min(partSize, size - (partNumber - 1) * partSize));
}

function lastModified(data: Blob): number {
  return data instanceof File ? data.lastModified : 0;
}

export class UploadBridge {
  private readonly plans = new Map<string, UploadPlan>();
  private readonly failures = new Map<string, Error>();
  private readonly partUrls = new Map<string, Map<number, { url: string; expiresAt: number }>>();
  private readonly recorders = new Map<string, PartRecorder>();

  constructor(
    private readonly store: ResumeStore,
    private readonly location: { origin: string } = { origin: "" },
  ) {}

  planFor(fileId: string): UploadPlan | undefined {
    return this.plans.get(fileId);
  }

  /** The object key Uppy should use: the server's, or a marker that makes the refusal surface. */
  keyFor(fileId: string): string {
    return this.plans.get(fileId)?.key ?? `${UNPREPARED_PREFIX}${fileId}`;
  }

  failureFor(fileId: string): Error | undefined {
    return this.failures.get(fileId);
  }

  /** Size → part size, for Uppy's getChunkSize (which is only told the size). */
  partSizeFor(size: number): number | undefined {
    for (const plan of this.plans.values()) if (plan.size === size && plan.partSize) return plan.partSize;
    return undefined;
  }

  /**
   * Finds or creates the server upload for a file. Never throws: a refusal (type, size,
   * quota…) is kept and surfaces as that file's upload error, next to the file.
   */
  async prepare(file: LocalFile): Promise<UploadPlan | null> {
    this.failures.delete(file.id);
    try {
      const fingerprint = fileFingerprint({ name: file.name, size: file.size, type: file.type, lastModified: lastModified(file.data) });
      const plan = (await this.resume(fingerprint, file)) ?? (await this.create(fingerprint, file));
      this.plans.set(file.id, plan);
      return plan;
    } catch (error) {
      this.failures.set(file.id, error instanceof Error ? error : new Error(String(error)));
      return null;
    }
  }

  private async resume(fingerprint: string, file: LocalFile): Promise<UploadPlan | null> {
    const saved = this.store.get(fingerprint);
    if (!saved) return null;
    let status: UploadStatus;
    try {
      status = await uploadsApi.status(saved.uploadId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.store.forget(saved.uploadId);
        return null;
      }
      throw error;
    }
    const open = status.status === "uploading" || status.status === "completing";
    if (open && status.method === "multipart" && status.size === file.size && status.partSize && status.partCount) {
      return {
        uploadId: saved.uploadId,
        projectId: status.projectId,
        key: saved.key,
        method: "multipart",
        size: status.size,
        partSize: status.partSize,
        partCount: status.partCount,
        resumedBytes: status.receivedBytes,
      };
    }
    // A single PUT cannot continue where it stopped: start a fresh one, and let go of the
    // old upload so it does not hold a slot of the plan's quota until it expires.
    if (open) await uploadsApi.abort(saved.uploadId).catch(() => undefined);
    this.store.forget(saved.uploadId);
    return null;
  }

  private async create(fingerprint: string, file: LocalFile): Promise<UploadPlan> {
    const created = await uploadsApi.create({ filename: file.name, size: file.size, contentType: contentTypeOf(file) });
    const stored: StoredUpload = {
      uploadId: created.uploadId,
      projectId: created.projectId,
      key: created.key,
      method: created.method,
      name: file.name,
      size: file.size,
      savedAt: new Date().toISOString(),
    };
    this.store.put(fingerprint, stored);
    if (created.parts && created.partsExpiresAt) {
      const expiresAt = Date.parse(created.partsExpiresAt);
      this.partUrls.set(created.uploadId, new Map(created.parts.map((part) => [part.partNumber, { url: part.url, expiresAt }])));
    }
    return {
      uploadId: created.uploadId,
      projectId: created.projectId,
      key: created.key,
      method: created.method,
      size: file.size,
      url: created.url,
      headers: created.headers,
      partSize: created.partSize,
      partCount: created.partCount,
      resumedBytes: 0,
    };
  }

  /** The plugin's signRequest: every S3 call it would make, answered from the API. */
  signRequest = async (request: PresignableRequest): Promise<PresignedResponse> => {
    if (!("uploadId" in request)) {
      const unprepared = request.key.startsWith(UNPREPARED_PREFIX) ? request.key.slice(UNPREPARED_PREFIX.length) : null;
      if (unprepared) throw this.failures.get(unprepared) ?? new Error("The server did not accept this file.");
      const plan = this.planByKey(request.key);
      if (request.method === "PUT" && plan?.url) return { url: plan.url, key: plan.key, headers: plan.headers };
      throw new Error("This upload was not prepared by the server. Remove the file and add it again.");
    }
    const plan = this.planByUpload(request.uploadId);
    switch (request.method) {
      case "GET": {
        // The plugin is about to resume from the server's list: put what this page stored in it first.
        await this.recorders.get(request.uploadId)?.recordAll().catch(() => undefined);
        const status = await uploadsApi.status(request.uploadId);
        return { url: listPartsReply(status.receivedParts) };
      }
      case "PUT":
        return { url: await this.partUrl(plan, request.partNumber) };
      case "POST":
        // Completing is `complete`'s job, which lists the parts or records the last ones first.
        return { url: completeReply({ location: `${this.location.origin}/projects/${plan.projectId}`, key: plan.key }) };
      case "DELETE":
        // Cancelling goes through `discard`, which the page calls when a file is removed.
        return { url: emptyReply() };
    }
  };

  /** Records a part storage accepted in the server's manifest (Uppy's part-uploaded event), batched. */
  recordPart(fileId: string, part: { PartNumber: number; ETag: string }): void {
    const plan = this.plans.get(fileId);
    if (!plan?.partSize) return;
    let recorder = this.recorders.get(plan.uploadId);
    if (!recorder) {
      recorder = new PartRecorder((parts) => uploadsApi.recordParts(plan.uploadId, parts).then(() => undefined));
      this.recorders.set(plan.uploadId, recorder);
    }
    const etag = part.ETag.startsWith('"') ? part.ETag : `"${part.ETag}"`;
    recorder.add({ partNumber: part.PartNumber, etag, size: partLength(plan.size, plan.partSize, part.PartNumber) });
  }

  /** Asks the server to complete and verify the upload; forgets it locally once it has. */
  async complete(fileId: string): Promise<CompletedUpload> {
    const plan = this.plans.get(fileId);
    if (!plan) throw new Error("This upload was not prepared by the server.");
    // Every part went up from this page: completion lists them. Otherwise (resumed after a
    // reload) the manifest holds the earlier ones, and the last ones are recorded first.
    const recorder = this.recorders.get(plan.uploadId);
    const parts = plan.partCount ? (recorder?.allParts(plan.partCount) ?? null) : null;
    if (plan.partCount && !parts) await recorder?.recordAll();
    const completed = await uploadsApi.complete(plan.uploadId, parts?.map(({ partNumber, etag }) => ({ partNumber, etag })));
    recorder?.dispose();
    this.recorders.delete(plan.uploadId);
    this.store.forget(plan.uploadId);
    return completed;
  }

  /** A removed file: abort its server upload (unless it finished) and forget it. */
  async discard(fileId: string, finished: boolean): Promise<void> {
    const plan = this.plans.get(fileId);
    this.plans.delete(fileId);
    this.failures.delete(fileId);
    if (!plan) return;
    this.partUrls.delete(plan.uploadId);
    this.recorders.get(plan.uploadId)?.dispose();
    this.recorders.delete(plan.uploadId);
    this.store.forget(plan.uploadId);
    if (!finished) await uploadsApi.abort(plan.uploadId).catch(() => undefined);
  }

  private planByKey(key: string): UploadPlan | undefined {
    for (const plan of this.plans.values()) if (plan.key === key) return plan;
    return undefined;
  }

  private planByUpload(uploadId: string): UploadPlan {
    for (const plan of this.plans.values()) if (plan.uploadId === uploadId) return plan;
    throw new Error("This upload is no longer on this page. Add the file again to continue it.");
  }

  private async partUrl(plan: UploadPlan, partNumber: number): Promise<string> {
    let cache = this.partUrls.get(plan.uploadId);
    if (!cache) this.partUrls.set(plan.uploadId, (cache = new Map()));
    const cached = cache.get(partNumber);
    if (cached && cached.expiresAt - Date.now() > URL_EXPIRY_MARGIN_MS) return cached.url;
    const last = Math.min(plan.partCount ?? partNumber, partNumber + PART_URL_BATCH - 1);
    const batch = Array.from({ length: last - partNumber + 1 }, (_, i) => partNumber + i);
    const signed = await uploadsApi.signParts(plan.uploadId, batch);
    const expiresAt = Date.parse(signed.expiresAt);
    for (const part of signed.parts) cache.set(part.partNumber, { url: part.url, expiresAt });
    const url = cache.get(partNumber)?.url;
    if (!url) throw new Error(`The server did not sign part ${partNumber}.`);
    return url;
  }
}
