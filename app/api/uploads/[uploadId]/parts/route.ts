import { withUser } from "@/lib/api/with-user";
import { parseUploadId } from "@/lib/uploads/get-upload-or-throw";
import { signPartsBody } from "@/lib/uploads/schemas";
import { signUploadParts } from "@/lib/uploads/sign-parts";

// POST /api/uploads/:uploadId/parts — sign a batch of part URLs
export const POST = withUser<{ uploadId: string }>(async (request, { claims, params }) => {
  const uploadId = parseUploadId(params.uploadId);
  const { partNumbers } = signPartsBody.parse(await request.json());
  return Response.json(await signUploadParts({ claims, uploadId, partNumbers }));
});
