import { isChunkLike, serializeCookieHeader } from "@supabase/ssr";
import { supabaseSessionCookieName } from "./cookie-names";
import { clearedSessionCookie, cookiesFrom, readSupabaseSession } from "./session";
import { createSupabaseServerClient } from "./supabase-server";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * Signs the request's session out and returns the Set-Cookie headers that clear it. In
 * Supabase mode the session is ended at Supabase Auth too (its refresh token stops
 * working), not just forgotten by this browser.
 */
export async function signOut(headers: Headers): Promise<string[]> {
  const setCookies = [clearedSessionCookie()];
  const { authMode, SUPABASE_URL } = env();
  if (authMode !== "supabase") return setCookies;
  const cookies = cookiesFrom(headers);
  if (await readSupabaseSession(cookies)) {
    // scope "local": this session only; the person's other devices stay signed in.
    const supabase = createSupabaseServerClient(cookies, () => {});
    const { error } = await supabase.auth.signOut({ scope: "local" });
    if (error) log.warn("auth.sign_out_failed", { message: error.message, status: error.status });
  }
  // Cleared here rather than through the client, so the cookies go even when Supabase
  // could not be reached.
  const name = supabaseSessionCookieName(SUPABASE_URL!);
  for (const cookie of cookies) {
    if (isChunkLike(cookie.name, name)) {
      setCookies.push(serializeCookieHeader(cookie.name, "", { path: "/", maxAge: 0, sameSite: "lax" }));
    }
  }
  return setCookies;
}
