import { apiRequest, withRetry } from "./request";

// Client for the Uploads API (docs: api.md "Uploads").

export type CreatedUpload = {
  uploadId: string;
  projectId: string;
  key: string;
  method: "single" | "multipart";
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  partCount?: number;
  /** Multipart: presigned URLs for the first parts, valid until `partsExpiresAt`. */
  parts?: { partNumber: number; url: string; size: number }[];
  partsExpiresAt?: string;
  expiresAt: string;
};

export type UploadStatus = {
  uploadId: string;
  projectId: string;
  status: "uploading" | "completing" | "completed" | "aborted" | "expired" | "failed";
  method: "single" | "multipart";
  size: number;
  partSize: number | null;
  partCount: number | null;
  receivedParts: number[];
  receivedBytes: number;
  nextPartNumber: number | null;
  complete: boolean;
};

export type CompletedUpload = { projectId: string; status: "queued" | "alreadyProcessing" | "alreadyComplete" };

const path = (uploadId: string) => `/api/uploads/${encodeURIComponent(uploadId)}`;

export const uploadsApi = {
  create: (file: { filename: string; size: number; contentType: string }) =>
    apiRequest<CreatedUpload>("/api/uploads", { body: file }),

  status: (uploadId: string) => withRetry(() => apiRequest<UploadStatus>(path(uploadId))),

  signParts: (uploadId: string, partNumbers: number[]) =>
    withRetry(() =>
      apiRequest<{ parts: { partNumber: number; url: string }[]; expiresAt: string }>(`${path(uploadId)}/parts`, {
        body: { partNumbers },
      }),
    ),

  recordParts: (uploadId: string, parts: { partNumber: number; etag: string; size: number }[]) =>
    withRetry(() => apiRequest<unknown>(`${path(uploadId)}/parts`, { method: "PATCH", body: { parts } })),

  complete: (uploadId: string, parts?: { partNumber: number; etag: string }[]) =>
    withRetry(() => apiRequest<CompletedUpload>(`${path(uploadId)}/complete`, { body: parts ? { parts } : {} })),

  abort: (uploadId: string) => withRetry(() => apiRequest<void>(path(uploadId), { method: "DELETE" })),
};
