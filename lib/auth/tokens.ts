import {
  createRemoteJWKSet,
  jwtVerify,
  SignJWT,
  type JWTHeaderParameters,
  type JWTPayload,
} from "jose";
import { env } from "@/lib/env";

export type AuthUser = { id: string; email?: string };

/**
 * Clocks drift between Supabase Auth and this server; a token issued "in the future" by
 * less than this is accepted, and one that expired less than this ago still is.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** What Supabase Auth signs with: the legacy shared secret, or asymmetric signing keys. */
const SYMMETRIC = ["HS256"] as const;
const ASYMMETRIC = ["ES256", "RS256"] as const;

export type VerifierConfig = {
  /** `<SUPABASE_URL>/auth/v1` (or the app's own URL in local mode): the only accepted `iss`. */
  issuer: string;
  /** The legacy HS256 secret; without it HS256 tokens are refused. */
  hs256Secret?: string;
  /** The project's JWKS; without it ES256/RS256 tokens are refused. */
  jwksUrl?: string;
  /** How long after a JWKS fetch an unknown `kid` may not trigger another (jose's default: 30 s). */
  jwksCooldownMs?: number;
  now?: () => Date;
};

export type AccessTokenVerifier = (token: string) => Promise<AuthUser | null>;

const encoder = new TextEncoder();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies access tokens in Supabase's format. The key is chosen by the token's header:
 * `alg` HS256 → the shared secret, ES256/RS256 → the JWKS key named by `kid` (jose caches
 * the set and refetches it when a `kid` is unknown, at most once per cooldown, so a
 * rotated-in key is picked up without a restart). During a rotation from the legacy
 * secret to signing keys both kinds verify, as both are live at Supabase.
 */
export function createAccessTokenVerifier(config: VerifierConfig): AccessTokenVerifier {
  const secret = config.hs256Secret ? encoder.encode(config.hs256Secret) : undefined;
  const jwks = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: config.jwksCooldownMs })
    : undefined;
  const algorithms = [...(secret ? SYMMETRIC : []), ...(jwks ? ASYMMETRIC : [])];
  const now = config.now ?? (() => new Date());

  return async (token) => {
    let payload: JWTPayload;
    const currentDate = now();
    try {
      // `algorithms` is checked before the key is chosen: a token naming any other
      // algorithm ("none", HS512, an HS256 token when no secret is set) is refused.
      ({ payload } = await jwtVerify(
        token,
        async (protectedHeader: JWTHeaderParameters, jws) =>
          protectedHeader.alg === "HS256" ? secret! : jwks!(protectedHeader, jws),
        {
          algorithms,
          issuer: config.issuer,
          audience: "authenticated",
          requiredClaims: ["exp", "iat", "sub"],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate,
        },
      ));
    } catch {
      return null;
    }
    const nowSeconds = Math.floor(currentDate.getTime() / 1000);
    if (typeof payload.iat !== "number" || payload.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) return null;
    if (payload.role !== "authenticated" || typeof payload.sub !== "string" || !UUID.test(payload.sub)) return null;
    return { id: payload.sub, email: typeof payload.email === "string" ? payload.email : undefined };
  };
}

/** `<SUPABASE_URL>/auth/v1`: the issuer of the project's tokens and the base of its Auth API. */
export function supabaseAuthUrl(supabaseUrl: string): string {
  return `${supabaseUrl.replace(/\/+$/, "")}/auth/v1`;
}

function verifierConfigFromEnv(): VerifierConfig {
  const { authMode, SUPABASE_URL, SUPABASE_JWKS_URL, SUPABASE_JWT_SECRET, APP_URL } = env();
  // Local mode mints its own tokens with the app as the issuer (mintLocalAccessToken).
  const issuer = supabaseAuthUrl(authMode === "supabase" ? SUPABASE_URL! : APP_URL);
  const jwksUrl = SUPABASE_JWKS_URL ?? (authMode === "supabase" ? `${issuer}/.well-known/jwks.json` : undefined);
  return { issuer, jwksUrl, hs256Secret: SUPABASE_JWT_SECRET };
}

let cached: { key: string; verify: AccessTokenVerifier } | undefined;

/**
 * Verifies a Supabase-format access token with the configured project's keys. Returns null
 * for anything that is not a valid, unexpired `authenticated` token of that project.
 */
export async function verifyAccessToken(token: string): Promise<AuthUser | null> {
  const config = verifierConfigFromEnv();
  const key = JSON.stringify(config);
  // One verifier (and so one JWKS cache) per configuration; tests switch configurations.
  if (cached?.key !== key) cached = { key, verify: createAccessTokenVerifier(config) };
  return cached.verify(token);
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
    .setIssuer(supabaseAuthUrl(env().APP_URL))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .sign(encoder.encode(secret));
}
