import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { db } from "@/lib/db/client";
import { putObject } from "@/lib/storage/objects";
import { launchBrowser, appUrl, screenshot, signIn } from "../support/browser";
import { tempDir, uploadRow, useAppServices, waitForText } from "../support/browser-app";
import { makeSmallVideo, writeBrokenCopy } from "../support/browser-media";

describe("a video that cannot be processed", () => {
  let browser: Browser;
  let page: Page;
  const dir = tempDir();
  const good = path.join(dir, "good.mp4");
  const broken = path.join(dir, "holiday.mp4");

  beforeAll(async () => {
    useAppServices();
    await makeSmallVideo(good);
    writeBrokenCopy(good, broken);
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, `broken-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the reason on the project page, and Retry processes it once the file is fixed", async () => {
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Choose video files").setInputFiles(broken);
    const row = uploadRow(page, "holiday.mp4");
    await waitForText(row.locator(".phase"), "Uploaded");
    await row.getByRole("link", { name: /View project/ }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const projectId = new URL(page.url()).pathname.split("/").pop()!;

    const errorPanel = page.getByRole("region", { name: "Processing failed" });
    await expect.poll(() => errorPanel.isVisible(), { timeout: 120_000 }).toBe(true);
    const reason = (await errorPanel.getByRole("alert").textContent()) ?? "";
    expect(reason.length).toBeGreaterThan(10);
    expect(await page.locator(".status").textContent()).toMatch(/^Failed/);
    await screenshot(page, "project-error");

    // Fix what is stored (the same bytes, now readable), then retry from the page.
    const [project] = await db()<{ r2Key: string }[]>`select r2_key as "r2Key" from projects where id = ${projectId}`;
    await putObject(project!.r2Key, readFileSync(good), { contentType: "video/mp4" });
    await errorPanel.getByRole("button", { name: "Retry" }).click();

    await waitForText(page.locator(".status"), /^Ready/, 180_000);
    expect(await errorPanel.isVisible()).toBe(false);
    await expect.poll(() => page.locator("video").evaluate((v: HTMLVideoElement) => v.readyState >= 1), { timeout: 20_000 }).toBe(true);
    const timeline = (await page.locator(".timeline").textContent()) ?? "";
    expect(timeline).toMatch(/Retry requested/);
  });
});
