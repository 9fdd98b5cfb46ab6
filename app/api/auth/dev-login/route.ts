import { withErrors } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { notFound } from "@/lib/api/errors";
import { devLoginBody } from "@/lib/auth/schemas";
import { mintLocalAccessToken } from "@/lib/auth/tokens";
import { sessionCookie } from "@/lib/auth/session";
import { findOrCreateLocalUser } from "@/lib/users/find-or-create-local-user";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { enforceLocalSignInLimit } from "@/lib/rate-limit/sign-in-limit";

// POST /api/auth/dev-login — local mode only: sign in by email, no password
export const POST = withErrors(async (request) => {
  if (env().authMode !== "local") throw notFound("This page");
  const { email } = devLoginBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  await enforceLocalSignInLimit(request.headers);
  const user = await findOrCreateLocalUser(db(), email);
  const accessToken = await mintLocalAccessToken({ id: user.id, email: user.email });
  return Response.json(
    { accessToken, userId: user.id },
    { headers: { "Set-Cookie": sessionCookie(accessToken) } },
  );
});
