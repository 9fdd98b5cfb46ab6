import { NextResponse, type NextRequest } from "next/server";
import { readSupabaseSession } from "./session";
import { createSupabaseServerClient } from "./supabase-server";
import { env } from "@/lib/env";

/**
 * Refresh a session whose access token has less than this left. supabase-js on its own
 * refreshes 90 s ahead, which with short-lived tokens means on every request, and
 * parallel requests (an upload's part signing) would then all rotate the refresh token
 * at once. A token with 30 s left outlives the request it authorizes.
 */
export const REFRESH_AHEAD_SECONDS = 30;

/**
 * The @supabase/ssr pattern, for proxy.ts: when the request's Supabase session is about
 * to expire, refresh it (rotating the refresh token), hand the new cookies to the route
 * that runs next and set them on the response. Bearer requests, local mode and requests
 * without a Supabase session pass through untouched.
 */
export async function refreshSupabaseSession(request: NextRequest, now = () => Date.now()): Promise<NextResponse> {
  if (env().authMode !== "supabase" || request.headers.has("authorization")) return NextResponse.next();
  const stored = await readSupabaseSession(request.cookies.getAll());
  if (!stored) return NextResponse.next();
  if (stored.expiresAt !== undefined && stored.expiresAt * 1000 - now() > REFRESH_AHEAD_SECONDS * 1000) {
    return NextResponse.next();
  }

  let response = NextResponse.next({ request });
  const supabase = createSupabaseServerClient(request.cookies.getAll(), (cookies, headers) => {
    for (const { name, value } of cookies) request.cookies.set(name, value);
    response = NextResponse.next({ request });
    for (const { name, value, options } of cookies) response.cookies.set(name, value, options);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  });
  // Refreshes the expiring session; a refresh token Supabase no longer accepts (signed out
  // elsewhere, reused) ends it, and the cleared cookies send the person to sign in again.
  await supabase.auth.getSession();
  return response;
}
