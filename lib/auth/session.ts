import { combineChunks, parseCookieHeader, stringFromBase64URL } from "@supabase/ssr";
import { SESSION_COOKIE, supabaseSessionCookieName } from "./cookie-names";
import { ACCESS_TOKEN_TTL_SECONDS } from "./tokens";
import { env } from "@/lib/env";

export { SESSION_COOKIE };

export type CookieList = { name: string; value: string }[];

/** The parts of a stored Supabase session the server uses. */
export type StoredSupabaseSession = { accessToken: string; expiresAt: number | undefined };

const BASE64_PREFIX = "base64-";

/**
 * Reads the Supabase session @supabase/ssr stored in cookies, without refreshing it (only
 * proxy.ts refreshes: a refresh here would rotate the refresh token and lose the result).
 * The encoding (`base64-` + base64url JSON, chunked) is @supabase/ssr's; its version is
 * pinned and tests/unit/auth/session.test.ts reads cookies the library wrote.
 */
export async function readSupabaseSession(cookies: CookieList): Promise<StoredSupabaseSession | null> {
  const { authMode, SUPABASE_URL } = env();
  if (authMode !== "supabase") return null;
  const byName = new Map(cookies.map((c) => [c.name, c.value]));
  const raw = await combineChunks(supabaseSessionCookieName(SUPABASE_URL!), (name) => byName.get(name));
  if (!raw) return null;
  try {
    const json = raw.startsWith(BASE64_PREFIX) ? stringFromBase64URL(raw.slice(BASE64_PREFIX.length)) : raw;
    const session = JSON.parse(json) as { access_token?: unknown; expires_at?: unknown };
    if (typeof session.access_token !== "string") return null;
    return {
      accessToken: session.access_token,
      expiresAt: typeof session.expires_at === "number" ? session.expires_at : undefined,
    };
  } catch {
    return null;
  }
}

export function cookiesFrom(headers: Headers): CookieList {
  return parseCookieHeader(headers.get("cookie") ?? "");
}

/**
 * The access token of a request: `Authorization: Bearer …` first, then the Supabase
 * session cookie (Supabase mode), then the `cc_session` cookie.
 */
export async function accessTokenFrom(headers: Headers): Promise<string | undefined> {
  const authorization = headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  const cookies = cookiesFrom(headers);
  const supabaseSession = await readSupabaseSession(cookies);
  return supabaseSession?.accessToken ?? (cookies.find((c) => c.name === SESSION_COOKIE)?.value || undefined);
}

export function sessionCookie(token: string): string {
  const secure = env().APP_URL.startsWith("https://") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ACCESS_TOKEN_TTL_SECONDS}${secure}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
