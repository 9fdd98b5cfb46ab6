import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type JWTPayload } from "jose";

/**
 * A fake of Supabase Auth (GoTrue) at the HTTP boundary: a local server answering the
 * endpoints supabase-js and ClipCrafter call, in Supabase's wire format —
 *
 *   POST /auth/v1/token?grant_type=password        email + password → session
 *   POST /auth/v1/token?grant_type=refresh_token   rotates the refresh token
 *   GET  /auth/v1/user                             the user of a valid access token
 *   POST /auth/v1/logout?scope=global|local|others ends sessions
 *   GET  /auth/v1/.well-known/jwks.json            the public signing keys
 *
 * Access tokens carry Supabase's header ({alg, kid, typ}) and claims (iss, sub, aud, exp,
 * iat, email, phone, app_metadata, user_metadata, role, aal, amr, session_id,
 * is_anonymous), signed ES256 by default, RS256 or with a legacy HS256 secret on request,
 * and live `accessTokenSeconds` (Supabase's default is 3600). Refresh tokens are single
 * use as GoTrue rotates them: a used one may be replayed within the reuse interval (10 s,
 * GoTrue's default) and then yields the session's current token; replayed later it is
 * refused and, as in GoTrue, the whole session is revoked.
 *
 * It is a fake, not Supabase: users live in memory, passwords are compared in plain text,
 * there is no email confirmation, MFA, PKCE or rate limiting.
 */

export type SigningAlg = "ES256" | "RS256" | "HS256";

type SigningKey = { kid: string; alg: "ES256" | "RS256"; privateKey: CryptoKey; publicJwk: JWK };
type FakeUser = { id: string; email: string; password: string; createdAt: string };
type Session = { id: string; userId: string; revoked: boolean; currentRefreshToken: string };
type RefreshToken = { sessionId: string; revoked: boolean; revokedAt?: number };

export type TokenRequest = { grantType: string; at: number; status: number };

export type MintOptions = {
  userId?: string;
  email?: string;
  alg?: SigningAlg;
  /** Signs with this key id (an ES256/RS256 key the fake holds, published or not). */
  kid?: string;
  /** Replaces or adds claims; a value of `undefined` removes the claim. */
  claims?: Record<string, unknown>;
  /** Replaces or adds header parameters. */
  header?: Record<string, unknown>;
  lifetimeSeconds?: number;
  issuedAt?: number;
  sessionId?: string;
};

export type FakeSupabaseAuth = {
  /** The project URL (what SUPABASE_URL holds). */
  url: string;
  /** `<url>/auth/v1`: the `iss` of its tokens. */
  issuer: string;
  jwksUrl: string;
  anonKey: string;
  /** The legacy HS256 secret (what SUPABASE_JWT_SECRET holds for a legacy project). */
  hs256Secret: string;
  /** The key id new sessions are signed with ("HS256" when the legacy secret signs). */
  currentKid(): string;
  createUser(email: string, password: string, id?: string): FakeUser;
  /** Generates a signing key; published in the JWKS unless `publish` is false. */
  addSigningKey(alg: "ES256" | "RS256", options?: { publish?: boolean; current?: boolean }): Promise<string>;
  publishKey(kid: string): void;
  unpublishKey(kid: string): void;
  /** Makes new sessions signed with this key id, or with the legacy secret ("HS256"). */
  useSigningKey(kid: string | "HS256"): void;
  setAccessTokenSeconds(seconds: number): void;
  /** Mints an access token in Supabase's exact format, with optional deviations for tests. */
  mintAccessToken(options?: MintOptions): Promise<string>;
  jwksRequests(): number;
  tokenRequests: TokenRequest[];
  logoutRequests: { scope: string; sessionId: string | undefined; at: number }[];
  stop(): Promise<void>;
};

const REFRESH_TOKEN_REUSE_SECONDS = 10;

export async function startFakeSupabaseAuth(options: { accessTokenSeconds?: number; now?: () => number } = {}): Promise<FakeSupabaseAuth> {
  const now = options.now ?? (() => Date.now());
  let accessTokenSeconds = options.accessTokenSeconds ?? 3600;
  const hs256Secret = randomBytes(32).toString("hex");
  const anonKey = `sb_publishable_fake_${randomBytes(8).toString("hex")}`;
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  const users = new Map<string, FakeUser>();
  const sessions = new Map<string, Session>();
  const refreshTokens = new Map<string, RefreshToken>();
  const tokenRequests: TokenRequest[] = [];
  const logoutRequests: FakeSupabaseAuth["logoutRequests"] = [];
  let signingKid: string | "HS256" = "";
  let jwksRequestCount = 0;
  let url = "";

  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      send(response, 500, { code: "unexpected_failure", message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/auth/v1`;

  async function addSigningKey(alg: "ES256" | "RS256", opts: { publish?: boolean; current?: boolean } = {}) {
    const pair = await generateKeyPair(alg, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: "sig", key_ops: ["verify"], ext: true };
    keys.set(kid, { kid, alg, privateKey: pair.privateKey, publicJwk });
    if (opts.publish !== false) published.add(kid);
    if (opts.current) signingKid = kid;
    return kid;
  }
  signingKid = await addSigningKey("ES256");

  function nowSeconds() {
    return Math.floor(now() / 1000);
  }

  async function mintAccessToken(mint: MintOptions = {}): Promise<string> {
    const current = signingKid === "HS256" ? undefined : keys.get(signingKid);
    const alg = mint.alg ?? (mint.kid ? keys.get(mint.kid)!.alg : (current?.alg ?? "HS256"));
    const key =
      alg === "HS256"
        ? undefined
        : mint.kid
          ? keys.get(mint.kid)
          : current?.alg === alg
            ? current
            : [...keys.values()].find((k) => k.alg === alg);
    if (alg !== "HS256" && !key) throw new Error(`the fake holds no ${alg} key${mint.kid ? ` with kid ${mint.kid}` : ""}`);
    const iat = mint.issuedAt ?? nowSeconds();
    const userId = mint.userId ?? randomUUID();
    const email = mint.email ?? "someone@example.com";
    const claims: Record<string, unknown> = {
      iss: issuer,
      sub: userId,
      aud: "authenticated",
      exp: iat + (mint.lifetimeSeconds ?? accessTokenSeconds),
      iat,
      email,
      phone: "",
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: { email, email_verified: true, phone_verified: false, sub: userId },
      role: "authenticated",
      aal: "aal1",
      amr: [{ method: "password", timestamp: iat }],
      session_id: mint.sessionId ?? randomUUID(),
      is_anonymous: false,
      ...mint.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const header: Record<string, unknown> = { alg, ...(key ? { kid: key.kid } : {}), typ: "JWT", ...mint.header };
    for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
    const signingKey = alg === "HS256" ? new TextEncoder().encode(hs256Secret) : key!.privateKey;
    return new SignJWT(claims as JWTPayload).setProtectedHeader(header as { alg: string }).sign(signingKey);
  }

  function userJson(user: FakeUser) {
    return {
      id: user.id,
      aud: "authenticated",
      role: "authenticated",
      email: user.email,
      email_confirmed_at: user.createdAt,
      phone: "",
      confirmed_at: user.createdAt,
      last_sign_in_at: new Date(now()).toISOString(),
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: { email: user.email, email_verified: true, phone_verified: false, sub: user.id },
      identities: [],
      created_at: user.createdAt,
      updated_at: user.createdAt,
      is_anonymous: false,
    };
  }

  function newRefreshToken(sessionId: string): string {
    // GoTrue's refresh tokens are short random strings, not JWTs.
    const token = randomBytes(9).toString("base64url");
    refreshTokens.set(token, { sessionId, revoked: false });
    return token;
  }

  async function sessionResponse(user: FakeUser, session: Session) {
    const iat = nowSeconds();
    const accessToken = await mintAccessToken({ userId: user.id, email: user.email, sessionId: session.id, issuedAt: iat });
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: accessTokenSeconds,
      expires_at: iat + accessTokenSeconds,
      refresh_token: session.currentRefreshToken,
      user: userJson(user),
    };
  }

  /** The user and session of a request's access token, if it is valid and its session lives. */
  async function authenticated(request: http.IncomingMessage): Promise<{ user: FakeUser; session: Session } | null> {
    const token = request.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(
        token,
        async (header, jws) =>
          header.alg === "HS256"
            ? new TextEncoder().encode(hs256Secret)
            : createLocalJWKSet({ keys: [...keys.values()].map((k) => k.publicJwk) })(header, jws),
        { issuer, audience: "authenticated", currentDate: new Date(now()) },
      );
      const session = sessions.get(String(payload.session_id));
      const user = users.get(String(payload.sub));
      if (!session || session.revoked || !user) return null;
      return { user, session };
    } catch {
      return null;
    }
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const requestUrl = new URL(request.url ?? "/", url);
    const origin = request.headers.origin;
    if (origin) {
      // supabase-js in the browser calls Auth cross-origin; Supabase allows any origin.
      response.setHeader("access-control-allow-origin", origin);
      response.setHeader("access-control-allow-credentials", "true");
      response.setHeader("access-control-allow-headers", request.headers["access-control-request-headers"] ?? "*");
      response.setHeader("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS");
      response.setHeader("access-control-expose-headers", "x-supabase-api-version");
    }
    if (request.method === "OPTIONS") return void response.writeHead(204).end();

    if (request.method === "GET" && requestUrl.pathname === "/auth/v1/.well-known/jwks.json") {
      jwksRequestCount += 1;
      return send(response, 200, { keys: [...published].map((kid) => keys.get(kid)!.publicJwk) });
    }
    if (request.headers.apikey !== anonKey) {
      return send(response, 401, { message: "No API key found in request", hint: "No `apikey` request header or url param was found." });
    }
    const body = request.method === "POST" ? await readJson(request) : {};

    if (request.method === "POST" && requestUrl.pathname === "/auth/v1/token") {
      const grantType = requestUrl.searchParams.get("grant_type") ?? "";
      const [status, payload] = await tokenGrant(grantType, body);
      tokenRequests.push({ grantType, at: now(), status });
      return send(response, status, payload);
    }
    if (request.method === "GET" && requestUrl.pathname === "/auth/v1/user") {
      const auth = await authenticated(request);
      if (!auth) return send(response, 403, { code: "bad_jwt", message: "invalid JWT: unable to parse or verify signature, token is expired or session ended" });
      return send(response, 200, userJson(auth.user));
    }
    if (request.method === "POST" && requestUrl.pathname === "/auth/v1/logout") {
      const scope = requestUrl.searchParams.get("scope") ?? "global";
      const auth = await authenticated(request);
      logoutRequests.push({ scope, sessionId: auth?.session.id, at: now() });
      if (!auth) return send(response, 403, { code: "session_not_found", message: "Session from session_id claim in JWT does not exist" });
      for (const session of sessions.values()) {
        const sameUser = session.userId === auth.user.id;
        const isThis = session.id === auth.session.id;
        if ((scope === "global" && sameUser) || (scope === "local" && isThis) || (scope === "others" && sameUser && !isThis)) {
          session.revoked = true;
        }
      }
      return void response.writeHead(204).end();
    }
    send(response, 404, { code: "not_found", message: `${request.method} ${requestUrl.pathname} is not part of this fake` });
  }

  async function tokenGrant(grantType: string, body: Record<string, unknown>): Promise<[number, unknown]> {
    if (grantType === "password") {
      const user = [...users.values()].find((u) => u.email === String(body.email ?? "").toLowerCase());
      if (!user || user.password !== body.password) {
        return [400, { code: "invalid_credentials", message: "Invalid login credentials" }];
      }
      const session: Session = { id: randomUUID(), userId: user.id, revoked: false, currentRefreshToken: "" };
      sessions.set(session.id, session);
      session.currentRefreshToken = newRefreshToken(session.id);
      return [200, await sessionResponse(user, session)];
    }
    if (grantType === "refresh_token") {
      const presented = refreshTokens.get(String(body.refresh_token ?? ""));
      const session = presented ? sessions.get(presented.sessionId) : undefined;
      if (!presented || !session || session.revoked) {
        return [400, { code: "refresh_token_not_found", message: "Invalid Refresh Token: Refresh Token Not Found" }];
      }
      if (presented.revoked) {
        if (now() - presented.revokedAt! > REFRESH_TOKEN_REUSE_SECONDS * 1000) {
          session.revoked = true;
          return [400, { code: "refresh_token_already_used", message: "Invalid Refresh Token: Already Used" }];
        }
        return [200, await sessionResponse(users.get(session.userId)!, session)];
      }
      presented.revoked = true;
      presented.revokedAt = now();
      session.currentRefreshToken = newRefreshToken(session.id);
      return [200, await sessionResponse(users.get(session.userId)!, session)];
    }
    return [400, { code: "validation_failed", message: `unsupported_grant_type: ${grantType}` }];
  }

  return {
    url,
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    anonKey,
    hs256Secret,
    currentKid: () => signingKid,
    createUser(email, password, id = randomUUID()) {
      const user = { id, email: email.toLowerCase(), password, createdAt: new Date(now()).toISOString() };
      users.set(id, user);
      return user;
    },
    addSigningKey,
    publishKey: (kid) => void published.add(kid),
    unpublishKey: (kid) => void published.delete(kid),
    useSigningKey: (kid) => void (signingKid = kid),
    setAccessTokenSeconds: (seconds) => void (accessTokenSeconds = seconds),
    mintAccessToken,
    jwksRequests: () => jwksRequestCount,
    tokenRequests,
    logoutRequests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: http.ServerResponse, status: number, payload: unknown) {
  response.writeHead(status, { "content-type": "application/json", "x-supabase-api-version": "2024-01-01" });
  response.end(JSON.stringify(payload));
}

async function readJson(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}
