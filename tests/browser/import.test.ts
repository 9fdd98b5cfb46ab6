import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appUrl, launchBrowser, signIn } from "../support/browser";
import { tempDir, waitForText } from "../support/browser-app";
import { makeSmallVideo } from "../support/browser-media";
import { startFixtureServer, type FixtureServer } from "../support/http-fixtures";

describe("importing a video from a pasted link", () => {
  let browser: Browser;
  let page: Page;
  let server: FixtureServer;
  let laterIsUp = false;

  beforeAll(async () => {
    const video = path.join(tempDir(), "clip.mp4");
    await makeSmallVideo(video);
    const bytes = readFileSync(video);
    server = await startFixtureServer((req, res) => {
      if (req.url === "/watch") return res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>a player</body></html>");
      if (req.url === "/media/later.mp4" && !laterIsUp) return res.writeHead(503).end();
      if (req.url !== "/media/clip.mp4" && req.url !== "/media/later.mp4") return res.writeHead(404).end();
      res.writeHead(200, { "Content-Type": "video/mp4", "Content-Length": bytes.length });
      res.end(req.method === "HEAD" ? undefined : bytes);
    });
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, `importer-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows why a link is refused next to the field", async () => {
    await page.goto(appUrl("/upload"));
    const field = page.getByLabel("Video link");
    await field.fill("ftp://example.com/clip.mp4");
    await page.getByRole("button", { name: "Import" }).click();
    const error = page.locator("form .field-error");
    await expect.poll(async () => ((await error.textContent()) ?? "").length, { timeout: 15_000 }).toBeGreaterThan(5);
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await field.getAttribute("aria-describedby")).toContain(await error.getAttribute("id"));
  });

  it("says next to the field when a link is a web page rather than a video file", async () => {
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Video link").fill(server.url("/watch"));
    await page.getByRole("button", { name: "Import" }).click();
    const error = page.locator("form .field-error");
    await expect.poll(async () => (await error.textContent()) ?? "", { timeout: 30_000 }).toMatch(/this link is a web page, not a video file/i);
  });

  it("downloads a link served by a local server and the project reaches ready", async () => {
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Video link").fill(server.url("/media/clip.mp4"));
    await page.getByRole("button", { name: "Import" }).click();
    const started = page.getByRole("status").filter({ hasText: "Import started" });
    await expect.poll(() => started.isVisible(), { timeout: 15_000 }).toBe(true);
    await started.getByRole("link").click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await waitForText(page.locator(".status"), /^Ready/, 180_000);
    expect(server.requests).toContain("/media/clip.mp4");
    expect(await page.locator(".meta").textContent()).toContain(server.url("/media/clip.mp4"));
  });

  it("shows a failed download on the project page, and Retry downloads the link again once it works", async () => {
    await page.goto(appUrl("/upload"));
    await page.getByLabel("Video link").fill(server.url("/media/later.mp4"));
    await page.getByRole("button", { name: "Import" }).click();
    await page.getByRole("status").filter({ hasText: "Import started" }).getByRole("link").click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const errorPanel = page.getByRole("region", { name: "Download failed" });
    await expect.poll(() => errorPanel.isVisible(), { timeout: 120_000 }).toBe(true);
    expect(await errorPanel.getByRole("alert").textContent()).toMatch(/503/);

    laterIsUp = true;
    await errorPanel.getByRole("button", { name: "Retry" }).click();
    await waitForText(page.locator(".status"), /^Ready/, 180_000);
    expect(server.requests.filter((r) => r === "/media/later.mp4").length).toBeGreaterThanOrEqual(2);
  });
});
