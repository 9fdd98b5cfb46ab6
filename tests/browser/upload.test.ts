import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appUrl, launchBrowser, screenshot, signIn } from "../support/browser";
import { recordStorageUploads, storageOrigin, tempDir, uploadRow, waitForText } from "../support/browser-app";
import { makeNoiseVideo, makeSmallVideo } from "../support/browser-media";

const MiB = 1024 * 1024;

describe("uploading videos on the upload page", () => {
  let browser: Browser;
  let page: Page;
  const dir = tempDir();
  const small = path.join(dir, "small-talk.mp4");
  const large = path.join(dir, "large-talk.mp4");

  beforeAll(async () => {
    await makeSmallVideo(small);
    await makeNoiseVideo(large, 3);
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, `uploader-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("uploads a small file and a multipart-sized file together, with progress, speed and time left, retrying a failed part", async () => {
    expect(statSync(large).size).toBeGreaterThan(10 * MiB);
    await page.goto(appUrl("/upload"));
    await expect.poll(() => page.getByText(/videos used this period/).isVisible()).toBe(true);
    await screenshot(page, "upload");

    // Storage answers the first attempt of part 1 with a 500; the upload must retry it.
    let failedOnce = false;
    await page.route(`${storageOrigin()}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (route.request().method() === "PUT" && url.searchParams.get("partNumber") === "1" && !failedOnce) {
        failedOnce = true;
        return route.fulfill({
          status: 500,
          headers: { "access-control-allow-origin": new URL(appUrl()).origin, "content-type": "application/xml" },
          body: "<Error><Code>InternalError</Code><Message>try again</Message></Error>",
        });
      }
      return route.continue();
    });
    const storage = recordStorageUploads(page);
    // Slow uploads down so the page has a transfer to measure.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 3 * MiB,
    });

    const chooser = page.waitForEvent("filechooser");
    await page.getByText("Choose video files").click();
    await (await chooser).setFiles([small, large]);
    const largeRow = uploadRow(page, "large-talk.mp4");
    await waitForText(largeRow.locator(".upload-status"), /\d+% · .+ of 1\d(\.\d)? MiB · .+\/s · .+ left/);
    await screenshot(page, "upload-in-progress");

    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await waitForText(uploadRow(page, "small-talk.mp4").locator(".phase"), "Uploaded");
    await waitForText(largeRow.locator(".phase"), "Uploaded");
    await expect.poll(() => largeRow.getByRole("link", { name: /View project/ }).isVisible()).toBe(true);

    const parts = storage.uploads.filter((u) => u.partNumber !== null);
    expect(parts.filter((u) => u.partNumber === 1).map((u) => u.status)).toEqual([500, 200]);
    expect(new Set(parts.filter((u) => u.status === 200).map((u) => u.partNumber))).toEqual(new Set([1, 2, 3]));
    expect(storage.uploads.filter((u) => u.partNumber === null && u.status === 200)).toHaveLength(1);
    await page.unroute(`${storageOrigin()}/**`);
  });

  it("shows both videos on the projects page, turning ready with a thumbnail without a reload", async () => {
    await page.goto(appUrl("/projects"));
    const cards = page.locator(".project-card");
    await expect.poll(() => cards.count()).toBe(2);
    for (const title of ["small-talk.mp4", "large-talk.mp4"]) {
      const card = cards.filter({ hasText: title });
      await waitForText(card.locator(".status"), /^Ready/, 180_000);
      await expect.poll(() => card.locator(".thumb img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 20_000 }).toBe(true);
    }
    await screenshot(page, "projects-list");
    // Both processed videos now count against the plan.
    await page.reload();
    await waitForText(page.getByRole("region", { name: "Usage" }), /Free plan\s*2 of 10 videos used this period/);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "projects-list-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("plays the web video on the project page, with its details and timeline", async () => {
    await page.locator(".project-card").filter({ hasText: "large-talk.mp4" }).getByRole("link").click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const video = page.locator("video");
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.duration > 2), { timeout: 20_000 }).toBe(true);
    expect(await page.locator(".timeline").textContent()).toMatch(/Upload verified.*Ready/);
    expect(await page.locator(".meta").textContent()).toMatch(/640 × 360/);
    await screenshot(page, "project-ready");

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "project-ready-phone");
    await page.goto(appUrl("/upload"));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "upload-phone");
  });

  it("accepts a video dropped on the drop zone", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(appUrl("/upload"));
    const bytes = readFileSync(small).toString("base64");
    const dataTransfer = await page.evaluateHandle((base64) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], "dropped.mp4", { type: "video/mp4" }));
      return transfer;
    }, bytes);
    await page.locator(".drop-zone").dispatchEvent("drop", { dataTransfer });
    await waitForText(uploadRow(page, "dropped.mp4").locator(".phase"), "Uploaded");
  });
});
