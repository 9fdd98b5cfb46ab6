import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import { outputKeys } from "@/lib/storage/keys";
import { putObject } from "@/lib/storage/objects";
import { appUrl, launchBrowser, signIn } from "../support/browser";
import { useAppServices, waitForText } from "../support/browser-app";

async function userIdOf(email: string): Promise<string> {
  const [user] = await db()<{ id: string }[]>`select id from auth.users where email = ${email.toLowerCase()}`;
  return user!.id;
}

async function insertProject(userId: string, fields: { title: string; status: string; stage?: string; progress?: number; createdAt?: Date }) {
  const [row] = await db()<{ id: string }[]>`
    insert into projects (user_id, title, status, stage, progress, source_type, created_at)
    values (${userId}, ${fields.title}, ${fields.status}, ${fields.stage ?? null}, ${fields.progress ?? 0}, 'upload',
            ${fields.createdAt ?? new Date()})
    returning id`;
  return row!.id;
}

describe("the projects list and project pages", () => {
  let browser: Browser;
  let page: Page;
  let ownerId: string;
  const email = `lister-${Date.now()}@example.com`;

  beforeAll(async () => {
    useAppServices();
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, email);
    ownerId = await userIdOf(email);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("pages past 50 projects with a Load more button", async () => {
    const base = Date.now() - 3_600_000;
    for (let i = 1; i <= 55; i++) {
      await insertProject(ownerId, { title: `Archive ${i}`, status: "ready", createdAt: new Date(base + i * 1000) });
    }
    await page.goto(appUrl("/projects"));
    const cards = page.locator(".project-card");
    await expect.poll(() => cards.count()).toBe(50);
    expect(await cards.first().textContent()).toContain("Archive 55");
    await page.getByRole("button", { name: "Load more projects" }).click();
    await expect.poll(() => cards.count()).toBe(55);
    expect(await cards.last().textContent()).toContain("Archive 1");
    expect(await page.getByText(/Showing 55 projects — that is all of them/).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Load more projects" }).count()).toBe(0);
  });

  it("updates a project's stage and progress live, and by polling when the event stream is blocked", async () => {
    const projectId = await insertProject(ownerId, { title: "Live one", status: "processing", stage: "probe", progress: 6 });
    const polls: string[] = [];
    const streams: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/projects") polls.push(url.search);
      if (url.pathname === "/api/projects/events") streams.push(url.search);
    });
    await page.goto(appUrl("/projects"));
    const card = page.locator(".project-card").filter({ hasText: "Live one" });
    await waitForText(card.locator(".status"), /Reading the video's format · 6%/);

    await db()`update projects set stage = 'transcode', progress = 41 where id = ${projectId}`;
    await waitForText(card.locator(".status"), /Making the web MP4 .* · 41%/, 15_000);
    expect(streams.length).toBeGreaterThan(0);
    expect(polls).toEqual([]); // the event stream carried it

    // A proxy that breaks event streams: the list must keep up by polling.
    await page.route("**/api/projects/events**", (route) => route.abort());
    await page.reload();
    await waitForText(card.locator(".status"), /41%/);
    await db()`update projects set stage = 'clips', progress = 90 where id = ${projectId}`;
    await waitForText(card.locator(".status"), /Cutting highlight clips · 90%/, 15_000);
    expect(polls.length).toBeGreaterThan(0);
    await page.unroute("**/api/projects/events**");

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("lists a ready project's clips with share links the Copy button puts on the clipboard", async () => {
    const projectId = await insertProject(ownerId, { title: "Clipped", status: "ready" });
    const shareToken = randomBytes(18).toString("base64url");
    const clipKey = outputKeys.clip(ownerId, projectId, 1);
    const clipThumb = outputKeys.clipThumbnail(ownerId, projectId, 1);
    await putObject(clipKey, Buffer.from("clip"), { contentType: "video/mp4" });
    await putObject(clipThumb, Buffer.from("jpeg"), { contentType: "image/jpeg" });
    await db()`
      insert into clips (project_id, user_id, position, start_seconds, end_seconds, key, thumbnail_key, share_token)
      values (${projectId}, ${ownerId}, 1, 12, 27, ${clipKey}, ${clipThumb}, ${shareToken})`;
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(appUrl()).origin });

    await page.goto(appUrl(`/projects/${projectId}`));
    const shareUrl = `${new URL(appUrl()).origin}/c/${shareToken}`;
    expect(await page.getByLabel("Share link", { exact: true }).inputValue()).toBe(shareUrl);
    expect(await page.getByRole("img", { name: "Clip 1, 0:12 to 0:27" }).count()).toBe(1);
    await page.getByRole("button", { name: "Copy share link of clip 1" }).click();
    await waitForText(page.locator(".copy-status"), "Copied to the clipboard.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);
  });

  it("renames a project, escaping the title, and deletes it", async () => {
    const projectId = await insertProject(ownerId, { title: "IMG_0042.mov", status: "ready" });
    await page.goto(appUrl(`/projects/${projectId}`));
    await page.getByRole("button", { name: "Rename" }).click();
    const field = page.getByLabel("Project title");
    await field.fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await waitForText(page.locator("#rename-error"), "The title cannot be empty.");
    expect(await field.getAttribute("aria-invalid")).toBe("true");

    await field.fill(`<img src=x onerror="document.body.dataset.pwned=1"> Launch`);
    await field.press("Enter");
    await waitForText(page.getByRole("heading", { level: 1 }), `<img src=x onerror="document.body.dataset.pwned=1"> Launch`);
    expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();

    await page.getByRole("button", { name: "Delete project" }).click();
    await page.getByRole("button", { name: "Yes, delete it" }).click();
    await page.waitForURL(/\/projects$/);
    const response = await page.request.get(appUrl(`/api/projects/${projectId}`));
    expect(response.status()).toBe(404);
  });

  it("does not let another user open a project, by page or by API", async () => {
    const projectId = await insertProject(ownerId, { title: "Private talk", status: "ready" });
    const strangerContext = await browser.newContext();
    const stranger = await strangerContext.newPage();
    await signIn(stranger, `stranger-${Date.now()}@example.com`);
    await stranger.goto(appUrl(`/projects/${projectId}`));
    expect(await stranger.getByRole("heading", { name: "Project not found" }).isVisible()).toBe(true);
    expect(await stranger.getByText("Private talk").count()).toBe(0);
    for (const [method, path] of [
      ["GET", `/api/projects/${projectId}`],
      ["GET", `/api/projects/${projectId}/events`],
      ["PATCH", `/api/projects/${projectId}`],
      ["POST", `/api/projects/${projectId}/retry`],
      ["DELETE", `/api/projects/${projectId}`],
    ] as const) {
      // Sent as the app's own client sends state changes: JSON, from the app's origin.
      const data = method === "PATCH" ? { title: "mine" } : method === "POST" ? {} : undefined;
      const response = await stranger.request.fetch(appUrl(path), { method, data });
      expect(response.status(), `${method} ${path}`).toBe(404);
    }
    const [row] = await db()<{ title: string }[]>`select title from projects where id = ${projectId}`;
    expect(row?.title).toBe("Private talk");
    await strangerContext.close();
  });
});
