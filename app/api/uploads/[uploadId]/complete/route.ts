import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { parseUploadId } from "@/lib/uploads/get-upload-or-throw";
import { completeUploadBody } from "@/lib/uploads/schemas";

// POST /api/uploads/:uploadId/complete — verify the stored file and queue it, exactly once
export const POST = withUser<{ uploadId: string }>(async (request, { user, params }) => {
  const uploadId = parseUploadId(params.uploadId);
  const { parts } = completeUploadBody.parse(
    await readJsonBody(request, { maxBytes: bodyLimits.uploadPartsList, whenEmpty: {} }),
  );
  return Response.json(await completeUpload({ userId: user.id, uploadId, parts }));
});
