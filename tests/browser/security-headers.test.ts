import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { appUrl, launchBrowser, signIn } from "../support/browser";
import { recordStorageUploads, storageOrigin, tempDir, uploadRow, waitForText } from "../support/browser-app";
import { makeNoiseVideo, makeSmallVideo } from "../support/browser-media";
import { browserTierSettings } from "../support/browser-global-setup";

type Violation = { page: string; directive: string; blocked: string; source: string };

const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];

/**
 * Every CSP violation the browser reports, two ways: the `securitypolicyviolation` event
 * (added to each document before its own scripts run, reported through a binding that no
 * policy can block) and Chromium's console message for it.
 */
async function watchViolations(context: BrowserContext): Promise<{ violations: Violation[]; console: string[] }> {
  const violations: Violation[] = [];
  const consoleMessages: string[] = [];
  await context.exposeBinding("__reportCspViolation", (_source, violation: Violation) => {
    violations.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCspViolation: (v: unknown) => void }).__reportCspViolation({
        page: location.pathname,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: `${event.sourceFile}:${event.lineNumber}`,
      });
    });
  });
  context.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) consoleMessages.push(`${message.page()?.url()}: ${message.text()}`);
  });
  return { violations, console: consoleMessages };
}

/** Plays the page's video from the start, muted (autoplay rules), until its clock moves. */
async function playVideo(page: Page) {
  const video = page.locator("video");
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    void v.play();
  });
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => ({ playing: v.currentTime > 0 && v.readyState >= 3, error: v.error?.message ?? null })), {
      timeout: 20_000,
    })
    .toEqual({ playing: true, error: null });
}

describe("security headers and the content security policy in the browser", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: { violations: Violation[]; console: string[] };
  const dir = tempDir();
  const single = path.join(dir, "talk-single.mp4");
  const multipart = path.join(dir, "talk-multipart.mp4");

  beforeAll(async () => {
    // Long enough for a highlight clip (10 s at least), small enough for one PUT.
    await makeSmallVideo(single, 24);
    await makeNoiseVideo(multipart, 2);
    browser = await launchBrowser();
    context = await browser.newContext();
    seen = await watchViolations(context);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("answers pages with a nonce policy that differs per request, and API routes with the JSON policy", async () => {
    const [first, second] = await Promise.all([fetch(appUrl("/")), fetch(appUrl("/"))]);
    const policy = first.headers.get("content-security-policy");
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'; /);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain(`media-src 'self' blob: ${storageOrigin()}`);
    expect(policy).not.toContain("unsafe-inline");
    expect(policy).not.toContain("unsafe-eval");
    expect(nonceOf(second.headers.get("content-security-policy"))).not.toBe(nonceOf(policy));
    // Next.js put this response's nonce on its scripts.
    const html = await first.text();
    expect(html).toContain(`nonce="${nonceOf(policy)}"`);
    expect(html).not.toMatch(/<script(?![^>]*\bnonce=)[^>]*>/);

    const stylesheet = /href="(\/_next\/static\/[^"]+\.css)"/.exec(html)?.[1];
    const api = await fetch(appUrl("/api/health"));
    // A route proxy.ts skips (it refuses the unsigned body) and a static asset.
    const skipped = await fetch(appUrl("/api/webhooks/stripe"), { method: "POST", body: "{}" });
    const asset = await fetch(appUrl(stylesheet ?? "/missing.css"));
    expect(asset.status).toBe(200);
    for (const response of [first, second, api, skipped, asset]) {
      expect(response.headers.get("x-content-type-options"), response.url).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), response.url).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("x-frame-options"), response.url).toBe("DENY");
      // The app runs on http here: no HSTS.
      expect(response.headers.get("strict-transport-security"), response.url).toBeNull();
    }
    for (const response of [api, skipped]) {
      expect(response.headers.get("content-security-policy"), response.url).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it("reports a violation when a page loads from an origin the policy does not allow (the watch works)", async () => {
    const probe = await context.newPage();
    await probe.goto(appUrl("/sign-in"));
    await probe.evaluate(() => {
      const img = new Image();
      img.src = "http://127.0.0.2:9/not-allowed.png";
      document.body.append(img);
    });
    await expect.poll(() => seen.violations.map((v) => v.directive)).toContain("img-src");
    expect(seen.violations[0]!.blocked).toBe("http://127.0.0.2:9/not-allowed.png");
    await probe.close();
    seen.violations.length = 0;
    seen.console.length = 0;
  });

  it("shows the signed-out pages without a violation", async () => {
    for (const pathname of ["/", "/sign-in", "/c/no-such-clip"]) {
      const response = await page.goto(appUrl(pathname));
      expect(response!.headers()["content-security-policy"], pathname).toContain("'strict-dynamic'");
      await page.waitForLoadState("networkidle");
    }
    expect(await page.getByRole("heading", { level: 1 }).count()).toBeGreaterThan(0);
    expect({ violations: seen.violations, console: seen.console }).toEqual({ violations: [], console: [] });
  });

  it("signs in, visits every signed-in page and uploads a file in one PUT and one in parts without a violation", async () => {
    await signIn(page, `csp-${Date.now()}@example.com`);
    for (const pathname of ["/projects", "/billing", "/settings/webhooks", "/upload"]) {
      await page.goto(appUrl(pathname));
      await page.waitForLoadState("networkidle");
      expect(new URL(page.url()).pathname).toBe(pathname);
    }
    const partSize = Number(browserTierSettings.UPLOAD_PART_SIZE_BYTES);
    expect(statSync(multipart).size).toBeGreaterThan(partSize);
    expect(statSync(single).size).toBeLessThan(partSize);

    const storage = recordStorageUploads(page);
    const chooser = page.waitForEvent("filechooser");
    await page.getByText("Choose video files").click();
    await (await chooser).setFiles([single, multipart]);
    await waitForText(uploadRow(page, "talk-single.mp4").locator(".phase"), "Uploaded");
    await waitForText(uploadRow(page, "talk-multipart.mp4").locator(".phase"), "Uploaded");
    expect(storage.uploads.filter((u) => u.partNumber === null && u.status === 200)).toHaveLength(1);
    expect(storage.uploads.filter((u) => u.partNumber !== null && u.status === 200).length).toBeGreaterThanOrEqual(2);
    expect({ violations: seen.violations, console: seen.console }).toEqual({ violations: [], console: [] });
  });

  it("shows thumbnails, plays the video on the project page and a shared clip on its public page without a violation", async () => {
    await page.goto(appUrl("/projects"));
    const card = page.locator(".project-card").filter({ hasText: "talk-single.mp4" });
    await waitForText(card.locator(".status"), /^Ready/, 180_000);
    await waitForText(page.locator(".project-card").filter({ hasText: "talk-multipart.mp4" }).locator(".status"), /^Ready/, 180_000);
    await expect
      .poll(() => card.locator(".thumb img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 20_000 })
      .toBe(true);

    await card.getByRole("link").click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await playVideo(page);
    const clipThumb = page.locator(".clip-thumb img").first();
    await expect.poll(() => clipThumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 20_000 }).toBe(true);
    const shareUrl = await page.getByLabel("Share link", { exact: true }).first().inputValue();
    expect(shareUrl).toMatch(/\/c\/[A-Za-z0-9_-]+$/);

    // The shared page, as someone who is not signed in sees it.
    const visitor = await context.browser()!.newContext();
    const visitorSeen = await watchViolations(visitor);
    const shared = await visitor.newPage();
    await shared.goto(shareUrl);
    await playVideo(shared);
    await visitor.close();

    expect({ violations: seen.violations, console: seen.console }).toEqual({ violations: [], console: [] });
    expect({ violations: visitorSeen.violations, console: visitorSeen.console }).toEqual({ violations: [], console: [] });
  });
});
