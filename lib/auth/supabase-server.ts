import { createServerClient, type CookieOptions } from "@supabase/ssr";
import type { SupabaseClient } from "@supabase/supabase-js";
import { supabaseSessionCookieName } from "./cookie-names";
import type { CookieList } from "./session";
import { env } from "@/lib/env";

export type CookieToSet = { name: string; value: string; options: CookieOptions };

/** Cookie settings shared by the browser and server clients (Supabase mode). */
export function supabaseCookieOptions(): { name: string; secure: boolean } {
  const { SUPABASE_URL, APP_URL } = env();
  return { name: supabaseSessionCookieName(SUPABASE_URL!), secure: APP_URL.startsWith("https://") };
}

/**
 * A server-side Supabase client over one request's cookies. Whatever the client writes
 * (a refreshed or ended session) is handed to `onSet` with the response headers
 * @supabase/ssr asks for (they keep CDNs from caching a response that sets a session).
 */
export function createSupabaseServerClient(
  cookies: CookieList,
  onSet: (cookies: CookieToSet[], headers: Record<string, string>) => void,
): SupabaseClient {
  const { SUPABASE_URL, SUPABASE_ANON_KEY } = env();
  return createServerClient(SUPABASE_URL!, SUPABASE_ANON_KEY!, {
    cookieOptions: supabaseCookieOptions(),
    cookies: { getAll: () => cookies, setAll: onSet },
    realtime: { transport: NoRealtime as never },
  });
}

/**
 * The server uses Supabase for Auth only. supabase-js still builds a Realtime client, which
 * on Node 20 (no global WebSocket) throws at creation unless handed a transport; this one
 * refuses to connect, which nothing here ever asks it to.
 */
class NoRealtime {
  constructor() {
    throw new Error("Supabase Realtime is not used on the server");
  }
}
