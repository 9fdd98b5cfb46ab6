import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { parseUploadId } from "@/lib/uploads/get-upload-or-throw";
import { recordUploadParts } from "@/lib/uploads/record-part";
import { partNumberParam, recordPartBody } from "@/lib/uploads/schemas";

// PUT /api/uploads/:uploadId/parts/:partNumber — record an uploaded part in the manifest
export const PUT = withUser<{ uploadId: string; partNumber: string }>(async (request, { claims, params }) => {
  const uploadId = parseUploadId(params.uploadId);
  const partNumber = partNumberParam.parse(params.partNumber);
  const { etag, size } = recordPartBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  const [recorded] = await recordUploadParts({ claims, uploadId, parts: [{ partNumber, etag, size }] });
  return Response.json(recorded);
});
