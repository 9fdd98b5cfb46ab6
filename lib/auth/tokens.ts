import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { env } from "@/lib/env";

export type AuthUser = { id: string; email?: string };

const encoder = new TextEncoder();
let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

function jwksUrl(): string | undefined {
  const { SUPABASE_JWKS_URL, SUPABASE_URL } = env();
  if (SUPABASE_JWKS_URL) return SUPABASE_JWKS_URL;
  if (SUPABASE_URL) return new URL("/auth/v1/.well-known/jwks.json", SUPABASE_URL).toString();
  return undefined;
}

function isUuid(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * Verifies a Supabase-format access token: HS256 with the project's JWT secret when one
 * is set, otherwise the project's published JWKS (asymmetric signing keys).
 * Returns null for anything that is not a valid, unexpired `authenticated` token.
 */
export async function verifyAccessToken(token: string): Promise<AuthUser | null> {
  let payload: JWTPayload;
  try {
    const secret = env().SUPABASE_JWT_SECRET;
    if (secret) {
      ({ payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ["HS256"] }));
    } else {
      const url = jwksUrl();
      if (!url) return null;
      jwks ??= createRemoteJWKSet(new URL(url));
      ({ payload } = await jwtVerify(token, jwks));
    }
  } catch {
    return null;
  }
  if (payload.role !== "authenticated" || !isUuid(payload.sub)) return null;
  return { id: payload.sub, email: typeof payload.email === "string" ? payload.email : undefined };
}

export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60 * 24 * 7;

/** Local mode only: mints a token of the same shape Supabase Auth issues. */
export async function mintLocalAccessToken(user: AuthUser, now = new Date()): Promise<string> {
  const secret = env().SUPABASE_JWT_SECRET;
  if (!secret) throw new Error("SUPABASE_JWT_SECRET is required to mint local access tokens");
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: "authenticated", email: user.email, aal: "aal1", is_anonymous: false })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setAudience("authenticated")
    .setIssuer(`${env().APP_URL}/auth/v1`)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .sign(encoder.encode(secret));
}
