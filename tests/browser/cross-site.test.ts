import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { db } from "@/lib/db/client";
import { appUrl, launchBrowser, signIn } from "../support/browser";
import { useAppServices } from "../support/browser-app";
import { startFixtureServer, type FixtureServer } from "../support/http-fixtures";

// A signed-in person visits an attacker's page, on another site (127.0.0.1 is another site
// than localhost) or on another origin of the same site (localhost on another port, which
// gets the SameSite=Lax session cookie). The page submits forms and fires fetches at the
// app. Nothing may change, and the person's session must stay their own.

const IMPORT_URL = "https://videos.example.com/csrf.mp4";

// A form can smuggle JSON as text/plain: name + "=" + value makes {"url":"…","pad":"="}.
function formPage(action: string, json: Record<string, string>): string {
  const body = JSON.stringify({ ...json, pad: "" }).slice(0, -2);
  return `<!doctype html><form id="f" method="POST" enctype="text/plain" action="${action}">
    <input type="hidden" name='${body}' value='"}'></form>
    <script>document.getElementById("f").submit()</script>`;
}

function fetchPage(target: string, json: Record<string, string>): string {
  return `<!doctype html><p id="done">sending</p><script>
    Promise.allSettled([
      fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors", credentials: "include",
        headers: { "Content-Type": "text/plain" }, body: ${JSON.stringify(JSON.stringify(json))} }),
      fetch(${JSON.stringify(target)}, { method: "POST", credentials: "include",
        headers: { "Content-Type": "application/json" }, body: ${JSON.stringify(JSON.stringify(json))} }),
    ]).then(() => { document.getElementById("done").textContent = "sent"; });
  </script>`;
}

describe("requests from other origins in a signed-in browser", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let attacker: FixtureServer;
  let victimId: string;
  const victimEmail = `csrf-victim-${Date.now()}@example.com`;

  beforeAll(async () => {
    useAppServices();
    attacker = await startFixtureServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://attacker");
      const target = appUrl("/api/imports");
      const pages: Record<string, string> = {
        "/form-import": formPage(target, { url: IMPORT_URL }),
        "/fetch-import": fetchPage(target, { url: IMPORT_URL }),
        "/form-login": formPage(appUrl("/api/auth/dev-login"), { email: "attacker@example.com" }),
      };
      const html = pages[url.pathname];
      if (!html) return res.writeHead(404).end();
      res.writeHead(200, { "Content-Type": "text/html" }).end(html);
    });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, victimEmail);
    const [row] = await db()<{ id: string }[]>`select id from auth.users where email = ${victimEmail}`;
    victimId = row!.id;
  });
  afterAll(async () => {
    await browser?.close();
    await attacker?.close();
  });

  const sameSite = () => attacker.origin.replace("127.0.0.1", "localhost");
  const importsByVictim = async () =>
    (await db()<{ n: number }[]>`select count(*)::int as n from projects where user_id = ${victimId} and source_url = ${IMPORT_URL}`)[0]!.n;
  const sessionUser = async () => {
    const cookie = (await context.cookies(appUrl("/"))).find((c) => c.name === "cc_session");
    return cookie ? JSON.parse(Buffer.from(cookie.value.split(".")[1]!, "base64url").toString()).sub : null;
  };

  it("refuses a form posted from another site and from another origin of the same site", async () => {
    for (const origin of [attacker.origin, sameSite()]) {
      await page.goto(`${origin}/form-import`);
      await page.waitForURL(appUrl("/api/imports"));
      expect(await page.textContent("body")).toContain("forbidden_origin");
    }
    expect(await importsByVictim()).toBe(0);
  });

  it("refuses fetches from another site and from another origin of the same site", async () => {
    for (const origin of [attacker.origin, sameSite()]) {
      await page.goto(`${origin}/fetch-import`);
      await expect.poll(() => page.textContent("#done"), { timeout: 15_000 }).toBe("sent");
    }
    expect(await importsByVictim()).toBe(0);
  });

  it("does not let another page replace the person's session with the attacker's (login CSRF)", async () => {
    expect(await sessionUser()).toBe(victimId);
    for (const origin of [attacker.origin, sameSite()]) {
      await page.goto(`${origin}/form-login`);
      await page.waitForURL(appUrl("/api/auth/dev-login"));
      expect(await page.textContent("body")).toContain("forbidden_origin");
    }
    expect(await sessionUser()).toBe(victimId);
    const [attackerRow] = await db()`select id from auth.users where email = 'attacker@example.com'`;
    expect(attackerRow).toBeUndefined();
  });

  it("still works from the app's own pages", async () => {
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Video link").fill("ftp://example.com/clip.mp4");
    await page.getByRole("button", { name: "Import" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 15_000 }).toMatch(/http/i);
  });
});
