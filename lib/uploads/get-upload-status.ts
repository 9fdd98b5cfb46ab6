import { asUser, type UserClaims } from "@/lib/db/as-user";
import { listUploadParts, type UploadMethod, type UploadStatus } from "@/lib/db/queries/uploads";
import { getUploadOrThrow } from "./get-upload-or-throw";

export type UploadStatusView = {
  uploadId: string;
  projectId: string;
  status: UploadStatus;
  method: UploadMethod;
  size: number;
  partSize: number | null;
  partCount: number | null;
  receivedParts: number[];
  receivedBytes: number;
  nextPartNumber: number | null;
  /** True only once the object is assembled and verified in storage, never from parts alone. */
  complete: boolean;
  error: { code: string; message: string } | null;
  expiresAt: string;
};

export async function getUploadStatus(params: { claims: UserClaims; uploadId: string }): Promise<UploadStatusView> {
  const userId = params.claims.sub;
  const { upload, parts } = await asUser(params.claims, async (tx) => {
    const upload = await getUploadOrThrow(tx, { userId, uploadId: params.uploadId });
    return { upload, parts: await listUploadParts(tx, { userId, uploadId: upload.id }) };
  });
  const complete = upload.status === "completed";
  const partCount = upload.method === "multipart" ? upload.partCount! : 1;
  // A single PUT leaves no trace until completion verifies the object.
  const received = upload.method === "multipart" ? parts.map((p) => p.partNumber) : complete ? [1] : [];
  const receivedBytes = upload.method === "multipart" ? parts.reduce((sum, p) => sum + p.size, 0) : complete ? upload.size : 0;
  const have = new Set(received);
  let nextPartNumber: number | null = null;
  if (!complete) {
    for (let n = 1; n <= partCount; n++) {
      if (!have.has(n)) {
        nextPartNumber = n;
        break;
      }
    }
  }
  return {
    uploadId: upload.id,
    projectId: upload.projectId,
    status: upload.status,
    method: upload.method,
    size: upload.size,
    partSize: upload.partSize,
    partCount: upload.partCount,
    receivedParts: received,
    receivedBytes,
    nextPartNumber,
    complete,
    error: upload.errorCode ? { code: upload.errorCode, message: upload.errorMessage ?? "" } : null,
    expiresAt: upload.expiresAt.toISOString(),
  };
}
