import type { CompleteUploadResult } from "@/lib/uploads/complete-upload";
import type { CreatedUpload } from "@/lib/uploads/create-upload";
import type { UploadStatusView } from "@/lib/uploads/get-upload-status";
import type { recordUploadParts } from "@/lib/uploads/record-part";
import type { CompleteUploadBody, CreateUploadBody, RecordPartsBody, SignPartsBody } from "@/lib/uploads/schemas";
import type { signUploadParts } from "@/lib/uploads/sign-parts";
import { apiRequest, withRetry, type Json } from "./request";

// Client for the Uploads API.

export type { CompleteUploadResult, CreatedUpload, UploadStatusView };

const path = (uploadId: string) => `/api/uploads/${encodeURIComponent(uploadId)}`;

export const uploadsApi = {
  create: (file: CreateUploadBody) => apiRequest<CreatedUpload>("/api/uploads", { body: file }),

  status: (uploadId: string) => withRetry(() => apiRequest<UploadStatusView>(path(uploadId))),

  signParts: (uploadId: string, partNumbers: SignPartsBody["partNumbers"]) =>
    withRetry(() =>
      apiRequest<Awaited<ReturnType<typeof signUploadParts>>>(`${path(uploadId)}/parts`, { body: { partNumbers } }),
    ),

  recordParts: (uploadId: string, parts: RecordPartsBody["parts"]) =>
    withRetry(() =>
      apiRequest<{ parts: Json<Awaited<ReturnType<typeof recordUploadParts>>> }>(`${path(uploadId)}/parts`, {
        method: "PATCH",
        body: { parts },
      }),
    ),

  complete: (uploadId: string, parts?: CompleteUploadBody["parts"]) =>
    withRetry(() => apiRequest<CompleteUploadResult>(`${path(uploadId)}/complete`, { body: parts ? { parts } : {} })),

  abort: (uploadId: string) => withRetry(() => apiRequest<void>(path(uploadId), { method: "DELETE" })),
};
