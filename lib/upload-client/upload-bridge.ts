import type { AwsS3Part, AwsS3UploadParameters } from "@uppy/aws-s3";
import { ApiError } from "@/lib/api-client/request";
import { uploadsApi, type CompleteUploadResult, type UploadStatusView } from "@/lib/api-client/uploads";
import { PartRecorder } from "./part-recorder";
import { fileFingerprint, ResumeStore, type StoredUpload } from "./resume-store";

// Connects Uppy's S3 plugin (@uppy/aws-s3 5.x, whose per-operation callbacks this class
// provides) to the Uploads API. Before Uppy sends a byte, `prepare` asks the server for the
// upload (or finds the one a reload cut off, by the file's fingerprint); the plugin then
// asks for each part's URL (`signPart`: the first ones came with the upload, more are
// signed in batches) and for the parts already stored (`listParts`: the server's
// manifest), and PUTs the parts to storage itself, several at once. Stored parts go to the
// server's manifest every few seconds (PartRecorder); `complete` asks the server to finish
// and verify.

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

/** Part URLs signed per request, beyond those the upload came with: a round trip per 32 parts. */
export const PART_URL_BATCH = 32;
/**
 * Waits before each new attempt of a failed part PUT (a 5xx, a dropped connection or a
 * 429 from storage); when they run out the upload stops with Retry offered, which resumes
 * from the parts already stored.
 */
export const PART_RETRY_DELAYS_MS = [500, 1_000, 3_000, 5_000, 10_000];
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
  /** Uploads this page created: until one of their parts is stored, storage holds none. */
  private readonly createdHere = new Set<string>();

  constructor(
    private readonly store: ResumeStore,
    private readonly location: { origin: string } = { origin: "" },
  ) {}

  planFor(fileId: string): UploadPlan | undefined {
    return this.plans.get(fileId);
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
    let status: UploadStatusView;
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
    this.createdHere.add(created.uploadId);
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

  // The plugin's callbacks. They run only for files `prepare` accepted: a refused file
  // goes the single-PUT way (shouldUseMultipart is false without a plan), where
  // getUploadParameters raises the server's refusal as that file's upload error.

  /** A single PUT: the URL and headers the server signed with the upload. */
  getUploadParameters = async (file: { id: string }): Promise<AwsS3UploadParameters> => {
    const plan = this.planOrFailure(file.id);
    if (plan.method !== "single" || !plan.url) throw new Error("The server chose a multipart upload for this file. Retry to continue.");
    return { method: "PUT", url: plan.url, headers: plan.headers };
  };

  /**
   * The server created the multipart upload in `prepare`, before a byte moved, and the
   * page hands its id to the plugin (which then resumes it from `listParts`), so this only
   * runs if the plugin lost that state; it gets the same upload back.
   */
  createMultipartUpload = async (file: { id: string }): Promise<{ uploadId: string; key: string }> => {
    const plan = this.planOrFailure(file.id);
    return { uploadId: plan.uploadId, key: plan.key };
  };

  /** The parts already stored, from the server's manifest (after this page's own have been recorded in it). */
  listParts = async (_file: unknown, options: { uploadId?: string }): Promise<AwsS3Part[]> => {
    const plan = this.planByUpload(options.uploadId ?? "");
    // A fresh upload's first start: nothing to ask the server (a round trip before the first byte).
    if (this.createdHere.has(plan.uploadId) && !this.recorders.has(plan.uploadId)) return [];
    await this.recorders.get(plan.uploadId)?.recordAll().catch(() => undefined);
    const status = await uploadsApi.status(plan.uploadId);
    return status.receivedParts.map((partNumber) => ({ PartNumber: partNumber, Size: partLength(plan.size, plan.partSize ?? plan.size, partNumber) }));
  };

  signPart = async (_file: unknown, options: { uploadId: string; partNumber: number }): Promise<AwsS3UploadParameters> => {
    const plan = this.planByUpload(options.uploadId);
    return { method: "PUT", url: await this.partUrl(plan, options.partNumber) };
  };

  /**
   * Completion is `complete`'s, called by the page once the plugin reports the upload
   * stored — single and multipart uploads alike, with its own phase and retry — so the
   * plugin's step only hands back where the video will be.
   */
  completeMultipartUpload = async (file: { id: string }): Promise<{ location?: string }> => {
    const plan = this.plans.get(file.id);
    return { location: plan ? `${this.location.origin}/projects/${plan.projectId}` : undefined };
  };

  /** A removed file is discarded by the page (`discard`: one abort for every kind of upload), not here. */
  abortMultipartUpload = async (): Promise<void> => {};

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
  async complete(fileId: string): Promise<CompleteUploadResult> {
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

  private planOrFailure(fileId: string): UploadPlan {
    const plan = this.plans.get(fileId);
    if (plan) return plan;
    throw this.failures.get(fileId) ?? new Error("This upload was not prepared by the server. Remove the file and add it again.");
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
