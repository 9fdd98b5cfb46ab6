import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page, Request } from "playwright-core";
import { expect, inject } from "vitest";
import { setEnvForProcess } from "@/lib/env";

/** Lets a browser test read and change the app's database and storage directly (to arrange and check). */
export function useAppServices(): void {
  setEnvForProcess(inject("browserServiceEnv"));
}

export function storageOrigin(): string {
  return new URL(inject("browserServiceEnv").R2_ENDPOINT!).origin;
}

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "clipcrafter-browser-"));
}

export type StorageUpload = { partNumber: number | null; bytes: number; status: number };

/** Every PUT the page sends to storage, with the bytes it carried (body size as sent). */
export function recordStorageUploads(page: Page): { uploads: StorageUpload[]; bytes: () => number; reset: () => void } {
  const uploads: StorageUpload[] = [];
  const origin = storageOrigin();
  page.on("requestfinished", async (request: Request) => {
    if (request.method() !== "PUT" || !request.url().startsWith(origin)) return;
    const response = await request.response();
    const sizes = await request.sizes();
    const partNumber = new URL(request.url()).searchParams.get("partNumber");
    uploads.push({ partNumber: partNumber ? Number(partNumber) : null, bytes: sizes.requestBodySize, status: response?.status() ?? 0 });
  });
  return {
    uploads,
    bytes: () => uploads.filter((u) => u.status < 300).reduce((sum, u) => sum + u.bytes, 0),
    reset: () => {
      uploads.length = 0;
    },
  };
}

/** The row of one file on the upload page. */
export function uploadRow(page: Page, name: string) {
  return page.getByRole("listitem").filter({ has: page.locator(".file-name", { hasText: name }) });
}

export async function waitForText(locator: ReturnType<Page["locator"]>, text: string | RegExp, timeout = 60_000) {
  await expect.poll(async () => (await locator.textContent()) ?? "", { timeout, interval: 250 }).toMatch(text);
}
