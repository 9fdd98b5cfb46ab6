import { withUser } from "@/lib/api/with-user";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { parseUploadId } from "@/lib/uploads/get-upload-or-throw";
import { completeUploadBody } from "@/lib/uploads/schemas";

// POST /api/uploads/:uploadId/complete — verify the stored file and queue it, exactly once
export const POST = withUser<{ uploadId: string }>(async (request, { user, params }) => {
  const uploadId = parseUploadId(params.uploadId);
  const text = await request.text();
  const { parts } = completeUploadBody.parse(text ? JSON.parse(text) : {});
  return Response.json(await completeUpload({ userId: user.id, uploadId, parts }));
});
