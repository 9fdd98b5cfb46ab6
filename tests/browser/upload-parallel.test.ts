import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Route } from "playwright-core";
import { appUrl, launchBrowser, signIn } from "../support/browser";
import { storageOrigin, tempDir, uploadRow, waitForText } from "../support/browser-app";
import { makeNoiseVideo } from "../support/browser-media";
import { maxInFlight, startStorageRecordingProxy, type StorageRecordingProxy } from "../support/storage-recording-proxy";
import { browserTierSettings } from "../support/browser-global-setup";

const partSize = Number(browserTierSettings.UPLOAD_PART_SIZE_BYTES);

/** Sends the page's part PUTs to storage through the recording proxy (other storage requests go straight). */
async function throughProxy(page: Page, proxy: StorageRecordingProxy, hold?: (partNumber: number) => boolean) {
  const held: Route[] = [];
  await page.route(`${storageOrigin()}/**`, async (route: Route) => {
    const url = new URL(route.request().url());
    const partNumber = Number(url.searchParams.get("partNumber"));
    if (route.request().method() !== "PUT" || !partNumber) return route.continue().catch(() => undefined);
    if (hold?.(partNumber)) {
      held.push(route); // never answered: the reload cuts these parts off
      return;
    }
    await route.continue({ url: `${proxy.url}${url.pathname}${url.search}` }).catch(() => undefined);
  });
  return held;
}

describe("uploading a large file's parts in parallel", () => {
  let browser: Browser;
  let page: Page;
  let proxy: StorageRecordingProxy;
  const dir = tempDir();
  const video = path.join(dir, "long-talk.mp4");

  beforeAll(async () => {
    await makeNoiseVideo(video, 10);
    // 4 MiB/s per request: a 5 MiB part takes over a second, sequential parts could never overlap.
    proxy = await startStorageRecordingProxy(storageOrigin(), { bytesPerSecondPerRequest: 4 * 1024 * 1024 });
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, `parallel-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
  });

  it("has storage receive at least 4 of a file's part PUTs at the same time, and the video reaches ready", async () => {
    const partCount = Math.ceil(statSync(video).size / partSize);
    expect(partCount).toBeGreaterThanOrEqual(8);
    await throughProxy(page, proxy);
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Choose video files").setInputFiles(video);
    const row = uploadRow(page, "long-talk.mp4");
    await waitForText(row.locator(".phase"), "Uploaded");

    const parts = proxy.requests.filter((r) => r.method === "PUT" && r.partNumber !== null);
    expect(parts.map((r) => r.partNumber).sort((a, b) => a! - b!)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1));
    expect(parts.every((r) => r.status === 200)).toBe(true);
    expect(parts.reduce((sum, r) => sum + r.bytes, 0)).toBe(statSync(video).size);
    expect(maxInFlight(parts)).toBeGreaterThanOrEqual(4);
    await page.unroute(`${storageOrigin()}/**`);

    await row.getByRole("link", { name: /View project/ }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await waitForText(page.locator(".status").first(), /Ready/, 180_000);
  });

  it("after a reload, sends only the parts storage lacks, again several at once, and completes", async () => {
    const copy = path.join(dir, "long-keynote.mp4");
    await makeNoiseVideo(copy, 10);
    const size = statSync(copy).size;
    const partCount = Math.ceil(size / partSize);
    proxy.requests.length = 0;
    // Parts from 3 on never get an answer before the reload; 1 and 2 are stored and recorded.
    const recorded: number[] = [];
    page.on("response", (response) => {
      if (!/\/api\/uploads\/[^/]+\/parts$/.test(response.url()) || response.request().method() !== "PATCH" || !response.ok()) return;
      recorded.push(...(response.request().postDataJSON() as { parts: { partNumber: number }[] }).parts.map((p) => p.partNumber));
    });
    let holding = true;
    const held = await throughProxy(page, proxy, (partNumber) => holding && partNumber >= 3);
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Choose video files").setInputFiles(copy);
    await expect.poll(() => recorded.includes(1) && recorded.includes(2) && held.length >= 4, { timeout: 30_000 }).toBe(true);

    await page.reload();
    holding = false;
    proxy.requests.length = 0;
    await page.getByLabel("Choose video files").setInputFiles(copy);
    const row = uploadRow(page, "long-keynote.mp4");
    await waitForText(row.locator(".upload-status"), /resumed, 10 MiB already stored/);
    await waitForText(row.locator(".phase"), "Uploaded");

    const parts = proxy.requests.filter((r) => r.method === "PUT" && r.partNumber !== null && r.status === 200);
    expect(parts.map((r) => r.partNumber).sort((a, b) => a! - b!)).toEqual(Array.from({ length: partCount - 2 }, (_, i) => i + 3));
    expect(parts.reduce((sum, r) => sum + r.bytes, 0)).toBe(size - 2 * partSize);
    expect(maxInFlight(parts)).toBeGreaterThanOrEqual(4);
    await page.unroute(`${storageOrigin()}/**`);
  });
});
