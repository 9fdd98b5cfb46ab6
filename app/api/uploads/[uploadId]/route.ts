import { withUser } from "@/lib/api/with-user";
import { abortUpload } from "@/lib/uploads/abort-upload";
import { parseUploadId } from "@/lib/uploads/get-upload-or-throw";
import { getUploadStatus } from "@/lib/uploads/get-upload-status";

type Params = { uploadId: string };

// GET /api/uploads/:uploadId — received parts, bytes, the next missing part, and whether it is complete
export const GET = withUser<Params>(async (_request, { claims, params }) => {
  const status = await getUploadStatus({ claims, uploadId: parseUploadId(params.uploadId) });
  return Response.json(status);
});

// DELETE /api/uploads/:uploadId — cancel the upload (storage first; 502 leaves it as it was)
export const DELETE = withUser<Params>(async (_request, { claims, params }) => {
  await abortUpload({ claims, uploadId: parseUploadId(params.uploadId) });
  return new Response(null, { status: 204 });
});
