import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Route } from "playwright-core";
import { appUrl, launchBrowser, screenshot, signIn } from "../support/browser";
import { recordStorageUploads, storageOrigin, tempDir, uploadRow, waitForText } from "../support/browser-app";
import { makeNoiseVideo } from "../support/browser-media";

const MiB = 1024 * 1024;

describe("resuming an upload cut off by a reload", () => {
  let browser: Browser;
  let page: Page;
  const dir = tempDir();
  const video = path.join(dir, "interview.mp4");

  beforeAll(async () => {
    await makeNoiseVideo(video, 3);
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, `resumer-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("pauses and resumes a running upload", async () => {
    // Part 2 waits for the test, so the upload is reliably mid-way when Pause is pressed.
    let releasePart2!: () => void;
    const part2Gate = new Promise<void>((resolve) => (releasePart2 = resolve));
    await page.route(`${storageOrigin()}/**`, async (route: Route) => {
      const url = new URL(route.request().url());
      if (route.request().method() === "PUT" && url.searchParams.get("partNumber") === "2") await part2Gate;
      await route.continue().catch(() => undefined);
    });
    const storage = recordStorageUploads(page);
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Choose video files").setInputFiles(video);
    const row = uploadRow(page, "interview.mp4");
    await expect.poll(() => storage.uploads.some((u) => u.partNumber === 1 && u.status === 200), { timeout: 30_000 }).toBe(true);

    await row.getByRole("button", { name: "Pause interview.mp4" }).click();
    await waitForText(row.locator(".phase"), "Paused");
    releasePart2();
    await row.getByRole("button", { name: "Resume interview.mp4" }).click();
    await waitForText(row.locator(".phase"), "Uploaded");
    const accepted = storage.uploads.filter((u) => u.status === 200).map((u) => u.partNumber);
    expect(accepted.sort()).toEqual([1, 2, 3]);
    await page.unroute(`${storageOrigin()}/**`);
  });

  it("continues after a reload from the parts already stored, sending fewer bytes than the file holds", async () => {
    const size = statSync(video).size;
    const otherCopy = path.join(dir, "keynote.mp4");
    await makeNoiseVideo(otherCopy, 3);
    const held: Route[] = [];
    let holdFromPart2 = true;
    await page.route(`${storageOrigin()}/**`, async (route: Route) => {
      const url = new URL(route.request().url());
      // Parts go up side by side: 2 and 3 are both held, so only part 1 is stored before the reload.
      if (holdFromPart2 && route.request().method() === "PUT" && Number(url.searchParams.get("partNumber")) >= 2) {
        held.push(route); // never answered: the reload cuts these parts off
        return;
      }
      await route.continue().catch(() => undefined);
    });
    const storage = recordStorageUploads(page);
    const recorded: number[] = [];
    // The page records finished parts in batches (PATCH …/parts) every few seconds.
    page.on("response", (response) => {
      if (!/\/api\/uploads\/[^/]+\/parts$/.test(response.url()) || response.request().method() !== "PATCH" || !response.ok()) return;
      const body = response.request().postDataJSON() as { parts: { partNumber: number }[] };
      recorded.push(...body.parts.map((p) => p.partNumber));
    });

    await page.goto(appUrl("/upload"));
    await page.getByLabel("Choose video files").setInputFiles(otherCopy);
    await expect.poll(() => recorded.includes(1) && held.length === 2, { timeout: 30_000 }).toBe(true);

    await page.reload();
    holdFromPart2 = false;
    storage.reset();
    const notice = page.getByRole("region", { name: "Unfinished uploads" });
    await expect.poll(() => notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain("keynote.mp4");
    await screenshot(page, "upload-unfinished");

    await page.getByLabel("Choose video files").setInputFiles(otherCopy);
    const row = uploadRow(page, "keynote.mp4");
    await waitForText(row.locator(".upload-status"), /resumed, 5 MiB already stored/);
    await waitForText(row.locator(".phase"), "Uploaded");

    const sent = storage.bytes();
    expect(sent).toBeLessThan(size);
    expect(sent).toBe(size - 5 * MiB);
    expect(storage.uploads.map((u) => u.partNumber).sort()).toEqual([2, 3]);
    expect(await notice.isVisible()).toBe(false);
    await page.unroute(`${storageOrigin()}/**`);
  });

  it("cancels an upload: the row goes away and the server aborts the upload", async () => {
    const clip = path.join(dir, "outtake.mp4");
    await makeNoiseVideo(clip, 3);
    let releasePart2!: () => void;
    const part2Gate = new Promise<void>((resolve) => (releasePart2 = resolve));
    await page.route(`${storageOrigin()}/**`, async (route: Route) => {
      const url = new URL(route.request().url());
      if (route.request().method() === "PUT" && url.searchParams.get("partNumber") === "2") await part2Gate;
      await route.continue().catch(() => undefined);
    });
    const created = page.waitForResponse((r) => r.url().endsWith("/api/uploads") && r.request().method() === "POST");
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Choose video files").setInputFiles(clip);
    const { uploadId } = (await (await created).json()) as { uploadId: string };
    const row = uploadRow(page, "outtake.mp4");
    await waitForText(row.locator(".phase"), "Uploading");

    const aborted = page.waitForResponse((r) => r.url().endsWith(`/api/uploads/${uploadId}`) && r.request().method() === "DELETE");
    await row.getByRole("button", { name: "Cancel outtake.mp4" }).click();
    expect((await aborted).status()).toBe(204);
    await expect.poll(() => row.count()).toBe(0);
    releasePart2();
    const status = await page.request.get(appUrl(`/api/uploads/${uploadId}`));
    expect((await status.json()).status).toBe("aborted");
    expect(await page.getByRole("region", { name: "Unfinished uploads" }).count()).toBe(0);
    await page.unroute(`${storageOrigin()}/**`);
  });
});
