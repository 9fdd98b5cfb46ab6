// The upload benchmark's browser: Debian's Chromium, headless, driven by playwright-core,
// uploading through the real upload page (the web client, Uppy and all) and, as the
// baseline, PUTting the same File to one presigned URL with fetch from the same page.
// Times come from the page's own Resource Timing entries, so neither includes the
// benchmark's round trips to the browser.
import { chromium, type Browser, type Page } from "playwright-core";
import { envSource } from "@/lib/env";
import { chromiumFlags } from "@/tests/support/browser-flags";

export type BrowserSession = { browser: Browser; page: Page; close: () => Promise<void> };

export async function openUploadPage(appUrl: string): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: envSource().CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: chromiumFlags,
  });
  const page = await browser.newPage();
  await page.goto(new URL("/sign-in", appUrl).toString());
  await page.getByLabel("Email").fill(`bench-browser-${Date.now()}@example.com`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/projects");
  return { browser, page, close: () => browser.close() };
}

async function freshUploadPage(page: Page): Promise<void> {
  await page.goto(new URL("/upload", page.url()).toString());
  await page.getByLabel("Choose video files").waitFor({ state: "attached" });
  // Room for every part's entry (the default buffer keeps 250).
  await page.evaluate(() => {
    performance.clearResourceTimings();
    performance.setResourceTimingBufferSize(100_000);
  });
}

/**
 * Uploads a file through the upload page, as a person choosing it would: from the
 * create request's start to the verified completion's answer, in the page's clock.
 */
export type PageUpload = {
  seconds: number;
  key: string;
  parts: number;
  /** Create's start → the first part PUT's start; the parts' span; the last part's end → completion answered. */
  phases: { setupSeconds: number; partsSeconds: number; finishSeconds: number };
};

export async function uploadThroughPage(page: Page, filePath: string, timeoutMs: number): Promise<PageUpload> {
  await freshUploadPage(page);
  const created = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/uploads" && r.request().method() === "POST", { timeout: timeoutMs });
  const completed = page.waitForResponse((r) => /\/api\/uploads\/[^/]+\/complete$/.test(r.url()) && r.request().method() === "POST", { timeout: timeoutMs });
  await page.getByLabel("Choose video files").setInputFiles(filePath);
  const createdResponse = await created;
  if (createdResponse.status() !== 201) throw new Error(`the page's upload was refused: ${createdResponse.status()} ${await createdResponse.text()}`);
  const { key, method } = (await createdResponse.json()) as { key: string; method: string };
  if (method !== "multipart") throw new Error(`the server chose a ${method} upload; the benchmark needs a multipart one`);
  const completedResponse = await completed;
  const status = ((await completedResponse.json()) as { status?: string }).status;
  if (completedResponse.status() !== 200 || status !== "queued") throw new Error(`completion answered ${completedResponse.status()} ${status}`);
  const timing = await page.evaluate(() => {
    const entries = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
    const create = entries.find((e) => new URL(e.name).pathname === "/api/uploads");
    const complete = entries.find((e) => /\/api\/uploads\/[^/]+\/complete$/.test(new URL(e.name).pathname));
    const parts = entries.filter((e) => new URL(e.name).searchParams.has("partNumber"));
    if (!create || !complete || parts.length === 0) return null;
    const firstPart = Math.min(...parts.map((e) => e.startTime));
    const lastPart = Math.max(...parts.map((e) => e.responseEnd));
    return {
      ms: complete.responseEnd - create.startTime,
      parts: parts.length,
      phases: { setupSeconds: (firstPart - create.startTime) / 1000, partsSeconds: (lastPart - firstPart) / 1000, finishSeconds: (complete.responseEnd - lastPart) / 1000 },
    };
  });
  if (!timing) throw new Error("the page recorded no timing for the upload's create, parts and complete requests");
  return { seconds: timing.ms / 1000, key, parts: timing.parts, phases: timing.phases };
}

/** One presigned PUT of the whole file with fetch, from the upload page, in the page's clock. */
export async function singlePutFromPage(page: Page, filePath: string, url: string): Promise<{ seconds: number }> {
  await freshUploadPage(page);
  await page.evaluate(() => {
    const input = document.createElement("input");
    input.type = "file";
    input.id = "bench-single-put";
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles("#bench-single-put", filePath);
  const result = await page.evaluate(async (putUrl) => {
    const file = (document.getElementById("bench-single-put") as HTMLInputElement).files![0]!;
    const response = await fetch(putUrl, { method: "PUT", body: file, headers: { "content-type": "video/mp4" } });
    const body = await response.text();
    const entry = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).find((e) => e.name === putUrl);
    return { status: response.status, body, ms: entry ? entry.responseEnd - entry.startTime : null };
  }, url);
  if (result.status !== 200 || result.ms === null) throw new Error(`single PUT → ${result.status} ${result.body}`);
  return { seconds: result.ms / 1000 };
}
