import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { launchBrowser, screenshot } from "../support/browser";
import { tempDir, uploadRow, waitForText } from "../support/browser-app";
import { browserTierSettings } from "../support/browser-global-setup";
import { makeNoiseVideo } from "../support/browser-media";
import { startServices, type Services } from "../support/local-services";
import { startFakeSupabaseAuth, type FakeSupabaseAuth } from "../support/fake-supabase-auth";
import { createSql } from "@/lib/db/client";
import { freePort } from "@/lib/local-stack/ports";
import { startNextApp, type NextApp } from "@/lib/local-stack/next-app";
import { envSource } from "@/lib/env";

const MiB = 1024 * 1024;
const ACCESS_TOKEN_SECONDS = 60;
const password = "a long and correct password";

type StoredSession = { access_token: string; refresh_token: string; expires_at: number };

/**
 * The app of the browser tier, built once by the global setup, started a second time in
 * Supabase mode: Supabase Auth is a fake (tests/support/fake-supabase-auth.ts) issuing
 * ES256 access tokens that live 60 seconds, and the project uses signing keys only (no
 * SUPABASE_JWT_SECRET), as projects created since late 2025 do.
 */
describe("a Supabase session in the browser, with 60-second access tokens", () => {
  let fake: FakeSupabaseAuth;
  let services: Services;
  let app: NextApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let appOrigin: string;
  const email = `long-session-${Date.now()}@example.com`;
  const dir = tempDir();
  const video = path.join(dir, "interview.mp4");

  const url = (pathname: string) => new URL(pathname, appOrigin).toString();

  /** The session @supabase/ssr keeps in the browser's cookies (chunks joined in order). */
  async function storedSession(): Promise<StoredSession | null> {
    const name = `sb-${new URL(fake.url).hostname.split(".")[0]}-auth-token`;
    const cookies = await context.cookies(appOrigin);
    const whole = cookies.find((c) => c.name === name)?.value;
    const chunks = cookies
      .filter((c) => c.name.startsWith(`${name}.`))
      .sort((a, b) => Number(a.name.split(".").pop()) - Number(b.name.split(".").pop()))
      .map((c) => c.value);
    const raw = whole ?? (chunks.length ? chunks.join("") : undefined);
    if (!raw) return null;
    return JSON.parse(Buffer.from(decodeURIComponent(raw).replace(/^base64-/, ""), "base64url").toString()) as StoredSession;
  }

  /** Waits until the access token the browser holds has expired (plus a margin). */
  async function waitForExpiry(): Promise<StoredSession> {
    const session = (await storedSession())!;
    const wait = session.expires_at * 1000 + 3_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    expect(Date.now()).toBeGreaterThan(session.expires_at * 1000);
    return session;
  }

  const refreshGrants = () => fake.tokenRequests.filter((r) => r.grantType === "refresh_token" && r.status === 200).length;

  beforeAll(async () => {
    await makeNoiseVideo(video, 4);
    fake = await startFakeSupabaseAuth({ accessTokenSeconds: ACCESS_TOKEN_SECONDS });
    const user = fake.createUser(email, password);

    const port = await freePort();
    appOrigin = `http://localhost:${port}`;
    services = await startServices({ appOrigin });
    // Supabase keeps its users in auth.users of the project's database; the local stand-in
    // of that table gets the fake's user, as Supabase's would.
    const sql = createSql(services.env.DATABASE_URL!, 1);
    await sql`insert into auth.users (id, email) values (${user.id}, ${user.email})`;
    await sql.end();

    app = await startNextApp({
      mode: "start",
      port,
      output: "inherit",
      env: {
        ...envSource(),
        ...services.env,
        ...browserTierSettings,
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        NEXT_TELEMETRY_DISABLED: "1",
        AUTH_MODE: "",
        SUPABASE_URL: fake.url,
        SUPABASE_ANON_KEY: fake.anonKey,
        SUPABASE_JWT_SECRET: "",
        // Part URLs live 75 s; the page re-signs one with under 60 s left, so each part
        // started after a pause is signed anew, after the access token has expired.
        UPLOAD_URL_TTL_SECONDS: "75",
      },
    });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await services?.stop();
    await fake?.stop();
  });

  it("signs in with email and password through Supabase Auth; the session lands in cookies", async () => {
    await page.goto(url("/sign-in"));
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator(".field-error").textContent()).toContain("Invalid login credentials");

    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/projects");
    const session = await storedSession();
    expect(session?.refresh_token).toBeTruthy();
    expect(session!.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(ACCESS_TOKEN_SECONDS);
  });

  it(
    "completes a multipart upload whose part signing runs past several expiries of the access token",
    async () => {
      const size = statSync(video).size;
      const partCount = Math.ceil(size / (5 * MiB));
      expect(partCount).toBeGreaterThanOrEqual(4);

      // Each part's PUT waits until the test lets that part through.
      const released = new Set<number>();
      const waiting = new Map<number, (() => void)[]>();
      const release = (partNumber: number) => {
        released.add(partNumber);
        for (const go of waiting.get(partNumber) ?? []) go();
        waiting.delete(partNumber);
      };
      const storageOrigin = new URL(services.env.R2_ENDPOINT!).origin;
      await page.route(`${storageOrigin}/**`, async (route: Route) => {
        const partNumber = Number(new URL(route.request().url()).searchParams.get("partNumber"));
        if (route.request().method() === "PUT" && partNumber && !released.has(partNumber)) {
          await new Promise<void>((resolve) => waiting.set(partNumber, [...(waiting.get(partNumber) ?? []), resolve]));
        }
        await route.continue().catch(() => undefined);
      });
      const stored = new Set<number>();
      page.on("requestfinished", async (request) => {
        if (request.method() !== "PUT" || !request.url().startsWith(storageOrigin)) return;
        const partNumber = Number(new URL(request.url()).searchParams.get("partNumber"));
        if ((await request.response())?.status() === 200) stored.add(partNumber);
      });
      const partStored = (partNumber: number) =>
        expect.poll(() => stored.has(partNumber), { timeout: 60_000 }).toBe(true);
      const apiCalls: { method: string; path: string; status: number; at: number }[] = [];
      page.on("response", (response) => {
        const { pathname, origin } = new URL(response.url());
        if (origin === appOrigin && pathname.startsWith("/api/")) {
          apiCalls.push({ method: response.request().method(), path: pathname, status: response.status(), at: Date.now() });
        }
      });

      await page.goto(url("/upload"));
      await page.getByLabel("Choose video files").setInputFiles(video);
      const row = uploadRow(page, "interview.mp4");
      release(1);
      await partStored(1);

      const refreshesBefore = refreshGrants();
      const signedAfterExpiry: number[] = [];
      for (let partNumber = 2; partNumber <= 4; partNumber += 1) {
        await row.getByRole("button", { name: "Pause interview.mp4" }).click();
        await waitForText(row.locator(".phase"), "Paused");
        const expired = await waitForExpiry();
        const signing = page.waitForResponse(
          (r) => /\/api\/uploads\/[^/]+\/parts$/.test(r.url()) && r.request().method() === "POST",
        );
        await row.getByRole("button", { name: "Resume interview.mp4" }).click();
        const signed = await signing;
        expect(signed.status()).toBe(200);
        signedAfterExpiry.push(expired.expires_at);
        release(partNumber);
        await partStored(partNumber);
      }
      for (let partNumber = 5; partNumber <= partCount; partNumber += 1) release(partNumber);
      await waitForText(row.locator(".phase"), "Uploaded", 120_000);
      await page.unroute(`${storageOrigin}/**`);

      expect(signedAfterExpiry).toHaveLength(3);
      expect(refreshGrants() - refreshesBefore).toBeGreaterThanOrEqual(3);
      expect(apiCalls.filter((c) => c.status === 401)).toEqual([]);
      const completion = apiCalls.find((c) => c.method === "POST" && /\/api\/uploads\/[^/]+\/complete$/.test(c.path));
      expect(completion?.status).toBe(200);
      await screenshot(page, "supabase-session-upload");
    },
    600_000,
  );

  it(
    "opens a page after the access token expired, without signing in again",
    async () => {
      await waitForExpiry();
      const refreshesBefore = refreshGrants();
      await page.goto(url("/projects"));
      expect(new URL(page.url()).pathname).toBe("/projects");
      await expect.poll(() => page.getByRole("main").textContent()).toContain("interview");
      expect(refreshGrants()).toBe(refreshesBefore + 1);
      const after = await storedSession();
      expect(after!.expires_at * 1000).toBeGreaterThan(Date.now());
    },
    180_000,
  );

  it("signing out ends the Supabase session: the old refresh token no longer works", async () => {
    const before = (await storedSession())!;
    const logoutsBefore = fake.logoutRequests.length;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    expect(fake.logoutRequests.length).toBe(logoutsBefore + 1);
    expect(await storedSession()).toBeNull();

    const replay = await fetch(`${fake.url}/auth/v1/token?grant_type=refresh_token`, {
      method: "POST",
      headers: { apikey: fake.anonKey, "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: before.refresh_token }),
    });
    expect(replay.status).toBe(400);
    await page.goto(url("/projects"));
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
  });
});
