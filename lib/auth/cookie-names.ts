// Imported by client components too: nothing here may read the environment.

/** Local mode, and sessions stored through POST /api/auth/session: the access token alone. */
export const SESSION_COOKIE = "cc_session";

/**
 * The cookie @supabase/ssr keeps a Supabase session in (split into `.0`, `.1`… chunks when
 * large). The name is Supabase's own default, `sb-<project ref>-auth-token`, passed
 * explicitly so the browser client, the server clients and the token lookup agree on it.
 */
export function supabaseSessionCookieName(supabaseUrl: string): string {
  return `sb-${new URL(supabaseUrl).hostname.split(".")[0]}-auth-token`;
}
