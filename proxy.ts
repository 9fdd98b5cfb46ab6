import { NextResponse, type NextRequest } from "next/server";
import { toErrorResponse } from "@/lib/api/errors";
import { assertBodyLengthDeclared, assertDeclaredLengthWithin, largestProxiedBodyLimit } from "@/lib/api/read-body";
import { refreshSupabaseSession } from "@/lib/auth/refresh-session";
import { securityHeadersFor } from "@/lib/security/headers";
import { policySettings } from "@/lib/security/policy-settings";

// Keeps a Supabase session alive for as long as Supabase allows: an expiring access token
// is refreshed before the page or API route reads it (see lib/auth/refresh-session.ts).
// Then sets the security headers that depend on the request or on run-time settings: a
// page's Content-Security-Policy carries a new nonce, which Next.js reads from the request
// to mark its own scripts (lib/security/headers.ts).
export async function proxy(request: NextRequest) {
  const security = securityHeadersFor(request.nextUrl.pathname, policySettings());
  // Next.js reads the body of a request it runs this for before the route gets it: an API
  // body whose Content-Length is over every route's cap is answered here, as the route would
  // answer it (413), instead of being read and forwarded first; one of unknown length is
  // refused (411), since past proxyClientMaxBodySize Next.js would forward it cut short.
  if (request.nextUrl.pathname.startsWith("/api/")) {
    try {
      assertBodyLengthDeclared(request.headers);
      assertDeclaredLengthWithin(request.headers, largestProxiedBodyLimit);
    } catch (error) {
      const refused = toErrorResponse(error);
      for (const { key, value } of security.response) refused.headers.set(key, value);
      return refused;
    }
  }

  const session = await refreshSupabaseSession(request);

  // The session refresh may have replaced the request's cookies; forward those together
  // with the nonce, and keep every header the refresh put on its response (its cookies).
  const forwarded = new Headers(request.headers);
  for (const { key, value } of security.request) forwarded.set(key, value);
  const response = NextResponse.next({ request: { headers: forwarded } });
  session.headers.forEach((value, name) => {
    if (name !== "set-cookie" && !response.headers.has(name)) response.headers.set(name, value);
  });
  for (const cookie of session.headers.getSetCookie()) response.headers.append("set-cookie", cookie);
  for (const { key, value } of security.response) response.headers.set(key, value);
  return response;
}

export const config = {
  // Everything but static assets: pages, API routes and SSE reconnects all read the session.
  // Not the routes that never carry a Supabase session (Stripe, Inngest, local sign-in):
  // Next.js reads a proxied request's whole body before the route runs, and these
  // refuse an oversized or unsigned body before reading it (lib/api/read-body.ts). They get
  // the static security headers from next.config.ts.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/webhooks/stripe|api/inngest|api/auth/dev-login).*)"],
};
