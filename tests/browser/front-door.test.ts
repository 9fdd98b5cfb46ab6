import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { appUrl, launchBrowser, screenshot, signIn } from "../support/browser";

describe("the front door (/)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a signed-out visitor what the app does, with sign-in beside it", async () => {
    const page = await browser.newPage();
    await page.goto(appUrl("/"));
    expect(new URL(page.url()).pathname).toBe("/");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toMatch(/video/i);
    const intro = (await page.locator(".front-door-intro").textContent()) ?? "";
    for (const promise of [/upload a video/i, /paste a link/i, /web MP4/i, /thumbnail/i, /highlight clips/i, /link to send/i]) {
      expect(intro).toMatch(promise);
    }
    const signIn = page.getByRole("region", { name: "Sign in" });
    await expect(signIn.getByLabel("Email").isVisible()).resolves.toBe(true);
    await expect(signIn.getByRole("button", { name: "Sign in" }).isVisible()).resolves.toBe(true);
    // Beside, not below, on a desktop-wide window.
    const [introBox, signInBox] = await Promise.all([page.locator(".front-door-intro").boundingBox(), signIn.boundingBox()]);
    expect(signInBox!.x).toBeGreaterThan(introBox!.x + introBox!.width - 1);
    await screenshot(page, "front-door");
    await page.close();
  });

  it("signs in from the front door and opens the projects", async () => {
    const page = await browser.newPage();
    await page.goto(appUrl("/"));
    await page.getByLabel("Email").fill(`front-door-${Date.now()}@example.com`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/projects");
    await page.close();
  });

  it("sends a signed-in person straight to their projects", async () => {
    const page = await browser.newPage();
    await signIn(page, `front-door-returning-${Date.now()}@example.com`);
    await page.goto(appUrl("/"));
    await expect.poll(() => new URL(page.url()).pathname).toBe("/projects");
    await page.close();
  });
});
