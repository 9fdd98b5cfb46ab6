import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { appUrl, launchBrowser, screenshot, signIn } from "../support/browser";

describe("signing in locally", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("sends a visitor without a session to the sign-in page", async () => {
    const page = await browser.newPage();
    await page.goto(appUrl("/projects"));
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    await screenshot(page, "sign-in");
    await page.close();
  });

  it("signs in with an email and shows the empty projects page", async () => {
    const page = await browser.newPage();
    await signIn(page, `empty-${Date.now()}@example.com`);
    await expect(page.getByRole("heading", { name: "No videos yet" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("link", { name: "Upload your first video" }).isVisible()).resolves.toBe(true);
    await screenshot(page, "projects-empty");
    await page.close();
  });

  it("refuses an invalid email next to the field", async () => {
    const page = await browser.newPage();
    await page.goto(appUrl("/sign-in"));
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#email-error").textContent()).toContain("valid email");
    await page.close();
  });
});
