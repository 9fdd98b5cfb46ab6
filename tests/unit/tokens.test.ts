import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { useUnitEnv } from "../support/unit-env";
import { mintLocalAccessToken, verifyAccessToken } from "@/lib/auth/tokens";
import { accessTokenFrom } from "@/lib/auth/session";

const userId = "6f1c1f0e-5b7a-4c1e-9d1a-2f3b4c5d6e7f";

describe("access tokens", () => {
  beforeAll(() => useUnitEnv());

  it("verifies a token it minted and returns the user", async () => {
    const token = await mintLocalAccessToken({ id: userId, email: "a@example.com" });
    await expect(verifyAccessToken(token)).resolves.toEqual({ id: userId, email: "a@example.com" });
  });

  it("rejects a token signed with another secret", async () => {
    const token = await new SignJWT({ role: "authenticated" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("some-other-secret-of-sufficient-length"));
    await expect(verifyAccessToken(token)).resolves.toBeNull();
  });

  it("rejects an expired token and an anon-role token", async () => {
    const expired = await mintLocalAccessToken({ id: userId }, new Date(Date.now() - 30 * 24 * 3600 * 1000));
    await expect(verifyAccessToken(expired)).resolves.toBeNull();
    const anon = await new SignJWT({ role: "anon" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("unit-test-secret-that-is-long-enough-0123456789"));
    await expect(verifyAccessToken(anon)).resolves.toBeNull();
  });

  it("reads the token from the Bearer header before the session cookie", () => {
    const headers = new Headers({ authorization: "Bearer header-token", cookie: "a=b; cc_session=cookie-token" });
    expect(accessTokenFrom(headers)).toBe("header-token");
    expect(accessTokenFrom(new Headers({ cookie: "a=b; cc_session=cookie-token" }))).toBe("cookie-token");
    expect(accessTokenFrom(new Headers())).toBeUndefined();
  });
});

describe("access tokens verified against a project's JWKS", () => {
  let server: Server;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    useUnitEnv({ SUPABASE_JWT_SECRET: "", SUPABASE_JWKS_URL: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json` });
  });
  afterAll(() => {
    server?.close();
    useUnitEnv();
  });

  it("accepts an ES256 token signed by the published key", async () => {
    const token = await new SignJWT({ role: "authenticated", email: "s@example.com" })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject(userId)
      .setExpirationTime("1h")
      .sign(privateKey);
    await expect(verifyAccessToken(token)).resolves.toEqual({ id: userId, email: "s@example.com" });
  });

  it("rejects an HS256 token when only the JWKS is configured", async () => {
    const token = await new SignJWT({ role: "authenticated" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("unit-test-secret-that-is-long-enough-0123456789"));
    await expect(verifyAccessToken(token)).resolves.toBeNull();
  });
});
