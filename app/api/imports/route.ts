import { withUser } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { createImportBody } from "@/lib/imports/schemas";
import { startImport } from "@/lib/imports/start-import";
import { enforceRateLimit } from "@/lib/rate-limit/enforce-rate-limit";

// POST /api/imports — import a video from a pasted link
export const POST = withUser(async (request, { claims }) => {
  await enforceRateLimit("imports", claims.sub);
  const { url } = createImportBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  const { projectId } = await startImport(claims, { url });
  return Response.json({ projectId }, { status: 202 });
});
