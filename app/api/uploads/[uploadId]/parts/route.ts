import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { parseUploadId } from "@/lib/uploads/get-upload-or-throw";
import { recordUploadParts } from "@/lib/uploads/record-part";
import { recordPartsBody, signPartsBody } from "@/lib/uploads/schemas";
import { signUploadParts } from "@/lib/uploads/sign-parts";

type Params = { uploadId: string };

// POST /api/uploads/:uploadId/parts — sign a batch of part URLs
export const POST = withUser<Params>(async (request, { claims, params }) => {
  const uploadId = parseUploadId(params.uploadId);
  const { partNumbers } = signPartsBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  return Response.json(await signUploadParts({ claims, uploadId, partNumbers }));
});

// PATCH /api/uploads/:uploadId/parts — record a batch of uploaded parts in the manifest
export const PATCH = withUser<Params>(async (request, { claims, params }) => {
  const uploadId = parseUploadId(params.uploadId);
  const { parts } = recordPartsBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.uploadPartsList }));
  return Response.json({ parts: await recordUploadParts({ claims, uploadId, parts }) });
});
