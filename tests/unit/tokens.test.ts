import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SignJWT, UnsecuredJWT, base64url, decodeJwt, decodeProtectedHeader } from "jose";
import { useUnitEnv } from "../support/unit-env";
import { startFakeSupabaseAuth, type FakeSupabaseAuth } from "../support/fake-supabase-auth";
import {
  CLOCK_TOLERANCE_SECONDS,
  createAccessTokenVerifier,
  mintLocalAccessToken,
  verifyAccessToken,
  type AccessTokenVerifier,
} from "@/lib/auth/tokens";

const userId = "6f1c1f0e-5b7a-4c1e-9d1a-2f3b4c5d6e7f";
const unitSecret = "unit-test-secret-that-is-long-enough-0123456789";

describe("access tokens minted in local mode", () => {
  beforeAll(() => useUnitEnv({ APP_URL: "http://localhost:3000" }));

  it("verifies a token it minted (issuer: the app's own /auth/v1) and returns the user", async () => {
    const token = await mintLocalAccessToken({ id: userId, email: "a@example.com" });
    await expect(verifyAccessToken(token)).resolves.toEqual({ id: userId, email: "a@example.com" });
  });

  it("refuses a token signed with another secret", async () => {
    const token = await new SignJWT({ role: "authenticated" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuer("http://localhost:3000/auth/v1")
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("some-other-secret-of-sufficient-length"));
    await expect(verifyAccessToken(token)).resolves.toBeNull();
  });

  it("refuses an expired token and an anon-role token", async () => {
    const expired = await mintLocalAccessToken({ id: userId }, new Date(Date.now() - 30 * 24 * 3600 * 1000));
    await expect(verifyAccessToken(expired)).resolves.toBeNull();
    const anon = await new SignJWT({ role: "anon" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuer("http://localhost:3000/auth/v1")
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(unitSecret));
    await expect(verifyAccessToken(anon)).resolves.toBeNull();
  });

  it("refuses a token minted for another app URL (its issuer is not this app)", async () => {
    useUnitEnv({ APP_URL: "http://other.example:3000" });
    const token = await mintLocalAccessToken({ id: userId });
    useUnitEnv({ APP_URL: "http://localhost:3000" });
    await expect(verifyAccessToken(token)).resolves.toBeNull();
  });
});

describe("access tokens as a Supabase project issues them", () => {
  let fake: FakeSupabaseAuth;
  let rsaKid: string;
  let verify: AccessTokenVerifier;

  beforeAll(async () => {
    fake = await startFakeSupabaseAuth();
    rsaKid = await fake.addSigningKey("RS256");
    verify = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl, hs256Secret: fake.hs256Secret });
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it("accepts an ES256 token signed by a key in the project's JWKS", async () => {
    const token = await fake.mintAccessToken({ userId, email: "s@example.com" });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: fake.currentKid(), typ: "JWT" });
    await expect(verify(token)).resolves.toEqual({ id: userId, email: "s@example.com" });
  });

  it("accepts an RS256 token signed by a key in the project's JWKS", async () => {
    await expect(verify(await fake.mintAccessToken({ userId, kid: rsaKid }))).resolves.toMatchObject({ id: userId });
  });

  it("accepts an HS256 token of a legacy project signed with its JWT secret", async () => {
    await expect(verify(await fake.mintAccessToken({ userId, alg: "HS256" }))).resolves.toMatchObject({ id: userId });
  });

  it("during a rotation from the legacy secret to signing keys accepts tokens of both", async () => {
    const legacy = await fake.mintAccessToken({ userId, alg: "HS256" });
    const current = await fake.mintAccessToken({ userId });
    await expect(verify(legacy)).resolves.toMatchObject({ id: userId });
    await expect(verify(current)).resolves.toMatchObject({ id: userId });
  });

  it("refuses HS256 tokens when no JWT secret is configured (a project on signing keys only)", async () => {
    const asymmetricOnly = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl });
    await expect(asymmetricOnly(await fake.mintAccessToken({ userId, alg: "HS256" }))).resolves.toBeNull();
    await expect(asymmetricOnly(await fake.mintAccessToken({ userId }))).resolves.toMatchObject({ id: userId });
  });

  it("refuses ES256 tokens when only the legacy secret is configured", async () => {
    const legacyOnly = createAccessTokenVerifier({ issuer: fake.issuer, hs256Secret: fake.hs256Secret });
    await expect(legacyOnly(await fake.mintAccessToken({ userId }))).resolves.toBeNull();
    await expect(legacyOnly(await fake.mintAccessToken({ userId, alg: "HS256" }))).resolves.toMatchObject({ id: userId });
  });

  it("refuses a token signed by a key the project never published (unknown kid)", async () => {
    const unpublished = await fake.addSigningKey("ES256", { publish: false });
    await expect(verify(await fake.mintAccessToken({ userId, kid: unpublished }))).resolves.toBeNull();
  });

  describe("each claim wrong in turn", () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<string>][] = [
      ["exp is missing", () => fake.mintAccessToken({ userId, claims: { exp: undefined } })],
      ["it expired (beyond the clock tolerance)", () => fake.mintAccessToken({ userId, issuedAt: now() - 3600, lifetimeSeconds: 3600 - CLOCK_TOLERANCE_SECONDS - 5 })],
      ["iss is another project", () => fake.mintAccessToken({ userId, claims: { iss: "https://otherproject.supabase.co/auth/v1" } })],
      ["iss is missing", () => fake.mintAccessToken({ userId, claims: { iss: undefined } })],
      ["aud is not authenticated", () => fake.mintAccessToken({ userId, claims: { aud: "anon" } })],
      ["role is anon", () => fake.mintAccessToken({ userId, claims: { role: "anon" } })],
      ["role is service_role", () => fake.mintAccessToken({ userId, claims: { role: "service_role" } })],
      ["iat is in the future (beyond the clock tolerance)", () => fake.mintAccessToken({ userId, issuedAt: now() + CLOCK_TOLERANCE_SECONDS + 60 })],
      ["iat is missing", () => fake.mintAccessToken({ userId, claims: { iat: undefined } })],
      ["sub is not a user id", () => fake.mintAccessToken({ userId: "service-account" })],
    ];
    it.each(cases)("refuses a token whose %s", async (_name, mint) => {
      await expect(verify(await mint())).resolves.toBeNull();
    });

    it("accepts a token issued a little in the future, within the clock tolerance", async () => {
      const token = await fake.mintAccessToken({ userId, issuedAt: now() + CLOCK_TOLERANCE_SECONDS - 10 });
      await expect(verify(token)).resolves.toMatchObject({ id: userId });
    });
  });

  it('refuses an unsigned token (alg "none")', async () => {
    const token = new UnsecuredJWT({ role: "authenticated", aud: "authenticated", iss: fake.issuer, sub: userId })
      .setIssuedAt()
      .setExpirationTime("1h")
      .encode();
    await expect(verify(token)).resolves.toBeNull();
  });

  it("refuses an HS256 token whose secret is the project's public key (algorithm confusion)", async () => {
    const jwks = (await (await fetch(fake.jwksUrl)).json()) as { keys: { kid: string }[] };
    const publicJwk = jwks.keys.find((k) => k.kid === fake.currentKid())!;
    const token = await fake.mintAccessToken({ userId, alg: "ES256" });
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ alg: "HS256", kid: fake.currentKid(), typ: "JWT" })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    const asymmetricOnly = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl });
    await expect(asymmetricOnly(forged)).resolves.toBeNull();
    await expect(verify(forged)).resolves.toBeNull();
  });

  it("refuses a token whose header names an ES256 key but says RS256", async () => {
    const token = await fake.mintAccessToken({ userId, kid: rsaKid, header: { kid: fake.currentKid() } });
    await expect(verify(token)).resolves.toBeNull();
  });

  it("refuses an algorithm outside ES256, RS256 and HS256", async () => {
    const valid = await fake.mintAccessToken({ userId, alg: "HS256" });
    const [, payload] = valid.split(".");
    const header = base64url.encode(JSON.stringify({ alg: "HS512", typ: "JWT" }));
    const signature = await crypto.subtle.sign(
      "HMAC",
      await crypto.subtle.importKey("raw", new TextEncoder().encode(fake.hs256Secret), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    await expect(verify(`${header}.${payload}.${base64url.encode(new Uint8Array(signature))}`)).resolves.toBeNull();
  });
});

describe("the JWKS cache", () => {
  let fake: FakeSupabaseAuth;
  afterEach(async () => {
    vi.useRealTimers();
    await fake?.stop();
  });

  it("fetches the JWKS once for many tokens of known keys", async () => {
    fake = await startFakeSupabaseAuth();
    const verify = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl });
    for (let i = 0; i < 5; i += 1) {
      await expect(verify(await fake.mintAccessToken({ userId }))).resolves.toMatchObject({ id: userId });
    }
    expect(fake.jwksRequests()).toBe(1);
  });

  it("picks up a key published after the first fetch (a rotation) by refetching on its unknown kid", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    fake = await startFakeSupabaseAuth();
    const verify = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl });
    const oldKid = fake.currentKid();
    await expect(verify(await fake.mintAccessToken({ userId }))).resolves.toMatchObject({ id: userId });
    expect(fake.jwksRequests()).toBe(1);

    // Supabase rotates: a new key is published and starts signing; the old one stays published.
    vi.setSystemTime(Date.now() + 31_000);
    const newKid = await fake.addSigningKey("ES256", { current: true });
    await expect(verify(await fake.mintAccessToken({ userId }))).resolves.toMatchObject({ id: userId });
    expect(fake.jwksRequests()).toBe(2);
    await expect(verify(await fake.mintAccessToken({ userId, kid: oldKid }))).resolves.toMatchObject({ id: userId });
    await expect(verify(await fake.mintAccessToken({ userId, kid: newKid }))).resolves.toMatchObject({ id: userId });
    expect(fake.jwksRequests()).toBe(2);
  });

  it("refetches for an unknown kid at most once per 30 s cooldown, so forged kids cannot flood Supabase", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    fake = await startFakeSupabaseAuth();
    const verify = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl });
    await verify(await fake.mintAccessToken({ userId }));
    const unpublished = await fake.addSigningKey("ES256", { publish: false });
    for (let i = 0; i < 3; i += 1) {
      await expect(verify(await fake.mintAccessToken({ userId, kid: unpublished }))).resolves.toBeNull();
    }
    expect(fake.jwksRequests()).toBe(1);
    vi.setSystemTime(Date.now() + 31_000);
    await expect(verify(await fake.mintAccessToken({ userId, kid: unpublished }))).resolves.toBeNull();
    expect(fake.jwksRequests()).toBe(2);
  });

  it("refuses a key the project unpublished once the cache is refreshed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    fake = await startFakeSupabaseAuth();
    const verify = createAccessTokenVerifier({ issuer: fake.issuer, jwksUrl: fake.jwksUrl });
    const revokedKid = fake.currentKid();
    await fake.addSigningKey("ES256", { current: true });
    await expect(verify(await fake.mintAccessToken({ userId, kid: revokedKid }))).resolves.toMatchObject({ id: userId });
    fake.unpublishKey(revokedKid);
    // jose keeps a JWKS for 10 minutes before fetching it again.
    vi.setSystemTime(Date.now() + 11 * 60_000);
    await expect(verify(await fake.mintAccessToken({ userId, kid: revokedKid, issuedAt: Math.floor(Date.now() / 1000) }))).resolves.toBeNull();
  });
});

describe("verifyAccessToken with the app's Supabase settings", () => {
  let fake: FakeSupabaseAuth;
  beforeAll(async () => {
    fake = await startFakeSupabaseAuth();
  });
  afterAll(async () => {
    useUnitEnv();
    await fake?.stop();
  });

  it("a project on signing keys: SUPABASE_URL and the anon key verify ES256 tokens through the published JWKS", async () => {
    useUnitEnv({ AUTH_MODE: "", SUPABASE_URL: fake.url, SUPABASE_ANON_KEY: fake.anonKey, SUPABASE_JWT_SECRET: "" });
    await expect(verifyAccessToken(await fake.mintAccessToken({ userId }))).resolves.toMatchObject({ id: userId });
    await expect(verifyAccessToken(await fake.mintAccessToken({ userId, alg: "HS256" }))).resolves.toBeNull();
  });

  it("a legacy project, or one mid-rotation: SUPABASE_JWT_SECRET as well verifies HS256 tokens too", async () => {
    useUnitEnv({ AUTH_MODE: "", SUPABASE_URL: fake.url, SUPABASE_ANON_KEY: fake.anonKey, SUPABASE_JWT_SECRET: fake.hs256Secret });
    await expect(verifyAccessToken(await fake.mintAccessToken({ userId, alg: "HS256" }))).resolves.toMatchObject({ id: userId });
    await expect(verifyAccessToken(await fake.mintAccessToken({ userId }))).resolves.toMatchObject({ id: userId });
  });

  it("refuses a token minted locally (its issuer is the app, not the Supabase project)", async () => {
    useUnitEnv({ AUTH_MODE: "", SUPABASE_URL: fake.url, SUPABASE_ANON_KEY: fake.anonKey, SUPABASE_JWT_SECRET: unitSecret });
    await expect(verifyAccessToken(await mintLocalAccessToken({ id: userId }))).resolves.toBeNull();
  });

  it("the fake publishes public keys only, in JWKS form", async () => {
    const jwks = (await (await fetch(fake.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys[0]).toMatchObject({ kid: fake.currentKid(), alg: "ES256", kty: "EC", crv: "P-256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });
});
