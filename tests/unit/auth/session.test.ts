import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { useUnitEnv } from "../../support/unit-env";
import { startFakeSupabaseAuth, type FakeSupabaseAuth } from "../../support/fake-supabase-auth";
import { accessTokenFrom, readSupabaseSession } from "@/lib/auth/session";
import { refreshSupabaseSession } from "@/lib/auth/refresh-session";
import { createSupabaseServerClient } from "@/lib/auth/supabase-server";
import { supabaseSessionCookieName } from "@/lib/auth/cookie-names";
import { verifyAccessToken } from "@/lib/auth/tokens";
import { DELETE as signOutRoute } from "@/app/api/auth/session/route";

/** A browser's cookie store for one origin: sends what it holds, applies Set-Cookie. */
class CookieJar {
  readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
  }
  list() {
    return [...this.cookies].map(([name, value]) => ({ name, value }));
  }
  set(name: string, value: string, maxAge?: number) {
    if (value === "" || maxAge === 0) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
  apply(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const index = pair!.indexOf("=");
      const maxAge = attributes.map((a) => a.trim().match(/^max-age=(-?\d+)$/i)?.[1]).find(Boolean);
      this.set(pair!.slice(0, index).trim(), decodeURIComponent(pair!.slice(index + 1)), maxAge === undefined ? undefined : Number(maxAge));
    }
  }
}

const userId = "0b9d2c4e-1f3a-4b5c-8d7e-6f5a4b3c2d1e";

describe("the access token of a request (local mode)", () => {
  beforeAll(() => useUnitEnv());

  it("reads the Bearer header before the session cookie", async () => {
    const headers = new Headers({ authorization: "Bearer header-token", cookie: "a=b; cc_session=cookie-token" });
    await expect(accessTokenFrom(headers)).resolves.toBe("header-token");
    await expect(accessTokenFrom(new Headers({ cookie: "a=b; cc_session=cookie-token" }))).resolves.toBe("cookie-token");
    await expect(accessTokenFrom(new Headers())).resolves.toBeUndefined();
  });

  it("proxy.ts passes a local-mode request through without touching its cookies", async () => {
    const request = new NextRequest("http://localhost:3000/projects", { headers: { cookie: "cc_session=abc" } });
    const response = await refreshSupabaseSession(request);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(response.headers.get("x-middleware-override-headers")).toBeNull();
  });
});

describe("a Supabase session kept in cookies", () => {
  let fake: FakeSupabaseAuth;
  const password = "correct horse battery staple";

  beforeAll(async () => {
    fake = await startFakeSupabaseAuth({ accessTokenSeconds: 60 });
    fake.createUser("long-upload@example.com", password, userId);
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    useUnitEnv({ AUTH_MODE: "", SUPABASE_URL: fake.url, SUPABASE_ANON_KEY: fake.anonKey, SUPABASE_JWT_SECRET: "" });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    useUnitEnv();
    await fake?.stop();
  });

  /** Signs in the way the sign-in page does: @supabase/ssr writes the session into cookies. */
  async function signIn(email = "long-upload@example.com"): Promise<CookieJar> {
    const jar = new CookieJar();
    const supabase = createSupabaseServerClient(jar.list(), (cookies) => {
      for (const { name, value, options } of cookies) jar.set(name, value, options.maxAge);
    });
    const { error } = await supabase.auth.signInWithPassword({ email, password });
    expect(error).toBeNull();
    return jar;
  }

  /**
   * The user a route handler would resolve: the token lookup and verification that
   * authenticate() in lib/api/with-user.ts performs (its account check needs a database,
   * which the browser tier's test of the same flow has).
   */
  async function userOf(request: Request) {
    const token = await accessTokenFrom(request.headers);
    return (token && (await verifyAccessToken(token))) || "unauthorized";
  }

  /** One request as Next.js serves it: proxy.ts first, then the route, which sees proxy's cookies. */
  async function request(jar: CookieJar, path = "/api/projects") {
    const nextRequest = new NextRequest(`http://localhost:3000${path}`, { headers: { cookie: jar.header() } });
    const proxied = await refreshSupabaseSession(nextRequest);
    jar.apply(proxied);
    const user = await userOf(nextRequest);
    return { user, proxied };
  }

  const refreshes = () => fake.tokenRequests.filter((r) => r.grantType === "refresh_token" && r.status === 200).length;
  const advance = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

  it("stores the session in Supabase's cookie and the server reads the access token from it", async () => {
    const jar = await signIn();
    expect([...jar.cookies.keys()]).toEqual([supabaseSessionCookieName(fake.url)]);
    expect(jar.cookies.get(supabaseSessionCookieName(fake.url))).toMatch(/^base64-/);
    const session = await readSupabaseSession(jar.list());
    expect(session?.accessToken.split(".")).toHaveLength(3);
    await expect(request(jar)).resolves.toMatchObject({ user: { id: userId, email: "long-upload@example.com" } });
  });

  it("reads a session @supabase/ssr split into several cookie chunks", async () => {
    const bigEmail = `${"x".repeat(200)}@example.com`;
    fake.createUser(bigEmail, password, "3c1e9a7b-2d4f-4e6a-8b0c-1d2e3f4a5b6c");
    // A long email appears in the token and the user twice over; with it the session tops 3180 characters.
    const jar = await signIn(bigEmail);
    expect([...jar.cookies.keys()].sort()).toEqual([`${supabaseSessionCookieName(fake.url)}.0`, `${supabaseSessionCookieName(fake.url)}.1`]);
    await expect(request(jar)).resolves.toMatchObject({ user: { id: "3c1e9a7b-2d4f-4e6a-8b0c-1d2e3f4a5b6c" } });
  });

  it("does not call Supabase while the access token has more than 30 s left", async () => {
    const jar = await signIn();
    const before = fake.tokenRequests.length;
    advance(25);
    const { user, proxied } = await request(jar);
    expect(user).toMatchObject({ id: userId });
    expect(fake.tokenRequests.length).toBe(before);
    expect(proxied.headers.getSetCookie()).toEqual([]);
  });

  it("keeps a person signed in past many expiries of 60-second access tokens: proxy.ts refreshes each expired one", async () => {
    const jar = await signIn();
    const before = refreshes();
    let previousToken = (await readSupabaseSession(jar.list()))!.accessToken;
    for (let expiry = 1; expiry <= 5; expiry += 1) {
      advance(61);
      const { user, proxied } = await request(jar);
      expect(user).toMatchObject({ id: userId });
      expect(proxied.headers.get("cache-control")).toMatch(/no-store/);
      const token = (await readSupabaseSession(jar.list()))!.accessToken;
      expect(token).not.toBe(previousToken);
      previousToken = token;
    }
    expect(refreshes() - before).toBe(5);
  });

  it("without proxy.ts the same expired cookie is refused (what happened before: signed out after an hour)", async () => {
    const jar = await signIn();
    advance(61 + 30);
    const stale = new NextRequest("http://localhost:3000/api/projects", { headers: { cookie: jar.header() } });
    await expect(userOf(stale)).resolves.toBe("unauthorized");
  });

  it("parallel requests after an expiry (an upload signing parts) all go through, and the session lives on", async () => {
    const jar = await signIn();
    advance(61);
    const results = await Promise.all(Array.from({ length: 6 }, () => request(jar)));
    for (const { user } of results) expect(user).toMatchObject({ id: userId });
    advance(61);
    await expect(request(jar)).resolves.toMatchObject({ user: { id: userId } });
  });

  it("signs the person out when Supabase no longer accepts the refresh token (session ended elsewhere)", async () => {
    const jar = await signIn();
    const other = new CookieJar();
    for (const [name, value] of jar.cookies) other.set(name, value);
    await signOutRoute(new NextRequest("http://localhost:3000/api/auth/session", {
      method: "DELETE",
      headers: { cookie: other.header(), origin: "http://localhost:3000" },
    }));
    advance(61);
    const { user, proxied } = await request(jar);
    expect(user).toBe("unauthorized");
    expect(proxied.headers.getSetCookie().some((c) => /max-age=0/i.test(c))).toBe(true);
    expect(jar.cookies.size).toBe(0);
  });

  it("signing out ends the Supabase session: Auth's logout is called and the old refresh token stops working", async () => {
    const jar = await signIn();
    const session = JSON.parse(
      Buffer.from(jar.cookies.get(supabaseSessionCookieName(fake.url))!.slice("base64-".length), "base64url").toString(),
    ) as { refresh_token: string };
    const logoutsBefore = fake.logoutRequests.length;

    const response = await signOutRoute(new NextRequest("http://localhost:3000/api/auth/session", {
      method: "DELETE",
      headers: { cookie: jar.header(), origin: "http://localhost:3000" },
    }));
    expect(response.status).toBe(204);
    jar.apply(response);
    expect(jar.cookies.size).toBe(0);
    expect(fake.logoutRequests.slice(logoutsBefore)).toEqual([expect.objectContaining({ scope: "local", sessionId: expect.any(String) })]);

    const replay = await fetch(`${fake.url}/auth/v1/token?grant_type=refresh_token`, {
      method: "POST",
      headers: { apikey: fake.anonKey, "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
    expect(replay.status).toBe(400);
  });

  it("proxy.ts leaves Bearer requests alone (they carry their own token)", async () => {
    const jar = await signIn();
    advance(61);
    const before = fake.tokenRequests.length;
    const nextRequest = new NextRequest("http://localhost:3000/api/projects", {
      headers: { cookie: jar.header(), authorization: "Bearer some-token" },
    });
    const response = await refreshSupabaseSession(nextRequest);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(fake.tokenRequests.length).toBe(before);
  });
});
