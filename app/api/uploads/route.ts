import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { createUpload } from "@/lib/uploads/create-upload";
import { createUploadBody } from "@/lib/uploads/schemas";
import { enforceRateLimit } from "@/lib/rate-limit/enforce-rate-limit";

// POST /api/uploads — record a new upload and mint the URLs its bytes go to
export const POST = withUser(async (request, { claims }) => {
  await enforceRateLimit("uploads", claims.sub);
  const body = createUploadBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  const upload = await createUpload({ claims, ...body });
  return Response.json(upload, { status: 201 });
});
