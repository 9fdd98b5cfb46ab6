import { userOrThrow, withErrors } from "@/lib/api/with-user";
import { bodyLimits, readJsonBody } from "@/lib/api/read-body";
import { sessionBody } from "@/lib/auth/schemas";
import { userForToken } from "@/lib/auth/user-for-token";
import { sessionCookie } from "@/lib/auth/session";
import { signOut } from "@/lib/auth/sign-out";
import { checkSignInToken } from "@/lib/rate-limit/sign-in-limit";

// POST /api/auth/session — store a verified Supabase access token as the session cookie
export const POST = withErrors(async (request) => {
  const { accessToken } = sessionBody.parse(await readJsonBody(request, { maxBytes: bodyLimits.json }));
  const user = userOrThrow(await checkSignInToken(request.headers, () => userForToken(accessToken)));
  return Response.json({ userId: user.id }, { headers: { "Set-Cookie": sessionCookie(accessToken) } });
});

// DELETE /api/auth/session — sign out, ending the Supabase session too
export const DELETE = withErrors(async (request) => {
  const headers = new Headers();
  for (const cookie of await signOut(request.headers)) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 204, headers });
});
