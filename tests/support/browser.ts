import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { inject } from "vitest";
import { chromiumFlags } from "./browser-flags";

export const screenshotDir = path.join(process.cwd(), "test-results", "screenshots");

/** Debian's Chromium, headless, with the flags this sandbox needs (no background networking). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject("chromiumPath"),
    headless: true,
    args: chromiumFlags,
  });
}

export function appUrl(pathname = "/"): string {
  return new URL(pathname, inject("appUrl")).toString();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(appUrl("/sign-in"));
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/projects");
}
