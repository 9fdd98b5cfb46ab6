import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { db } from "@/lib/db/client";
import { appUrl, launchBrowser, signIn } from "../support/browser";
import { useAppServices } from "../support/browser-app";

/** Cumulative layout shift since the page started loading (shifts right after input excluded, as CLS does). */
async function layoutShift(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __cls: number }).__cls);
}

async function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return "";
    const labelled = (el as HTMLInputElement).labels?.[0]?.textContent ?? "";
    return (el.getAttribute("aria-label") ?? (labelled || el.textContent) ?? "").trim();
  });
}

async function tabTo(page: Page, name: RegExp, maxTabs = 25): Promise<void> {
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press("Tab");
    if (name.test(await focusedName(page))) return;
  }
  throw new Error(`could not reach ${name} with the Tab key`);
}

/** The focused control, or the label wrapping it, draws a focus ring. */
async function focusRingVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const ring = (node: Element | null) => {
      if (!node) return false;
      const style = getComputedStyle(node);
      return style.boxShadow !== "none" || (style.outlineStyle !== "none" && style.outlineWidth !== "0px");
    };
    return ring(el) || ring(el.closest("label"));
  });
}

describe("accessibility of the upload and projects pages", () => {
  let browser: Browser;
  let page: Page;
  const email = `keyboard-${Date.now()}@example.com`;

  beforeAll(async () => {
    useAppServices();
    browser = await launchBrowser();
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const w = window as unknown as { __cls: number };
      w.__cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
          if (!entry.hadRecentInput) w.__cls += entry.value;
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    page = await context.newPage();
    await signIn(page, email);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("works from the keyboard: skip link, file picker and link form, each with a visible focus ring", async () => {
    await page.goto(appUrl("/upload"));
    await page.keyboard.press("Tab");
    expect(await focusedName(page)).toBe("Skip to content");
    expect(await focusRingVisible(page)).toBe(true);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

    await tabTo(page, /^Choose video files/);
    expect(await focusRingVisible(page)).toBe(true);
    await tabTo(page, /^Video link$/);
    expect(await focusRingVisible(page)).toBe(true);
    await page.keyboard.type("http://");
    await page.keyboard.press("Enter");
    const error = page.locator("form .field-error");
    await expect.poll(async () => ((await error.textContent()) ?? "").length, { timeout: 15_000 }).toBeGreaterThan(5);
    expect(await page.getByLabel("Video link").getAttribute("aria-invalid")).toBe("true");
  });

  it("names every control on the upload page and a project page", async () => {
    const [user] = await db()<{ id: string }[]>`select id from auth.users where email = ${email}`;
    const [project] = await db()<{ id: string }[]>`
      insert into projects (user_id, title, status, error_code, error_message, source_type)
      values (${user!.id}, 'Needs a retry', 'error', 'damaged_file', 'The file is incomplete.', 'upload') returning id`;
    for (const path of ["/upload", `/projects/${project!.id}`, "/projects"]) {
      await page.goto(appUrl(path));
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll("input, button, select, textarea, a[href], progress, meter")]
          .filter((el) => {
            const labelled = (el as HTMLInputElement).labels?.length;
            const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.textContent?.trim();
            return !labelled && !named;
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unnamed, path).toEqual([]);
    }
  });

  it("does not shift the layout while the pages load their live parts", async () => {
    for (const path of ["/upload", "/projects"]) {
      await page.goto(appUrl(path));
      await expect.poll(() => page.getByText(/videos used this period/).isVisible()).toBe(true);
      await page.waitForTimeout(500);
      expect(await layoutShift(page), path).toBeLessThan(0.02);
    }
  });

  it("loads the pages without errors in the console (hydration included)", async () => {
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    const [user] = await db()<{ id: string }[]>`select id from auth.users where email = ${email}`;
    const [project] = await db()<{ id: string }[]>`
      insert into projects (user_id, title, status, stage, progress, source_type)
      values (${user!.id}, 'On its way', 'processing', 'transcode', 30, 'upload') returning id`;
    for (const path of ["/upload", "/projects", `/projects/${project!.id}`]) {
      await page.goto(appUrl(path));
      await page.waitForLoadState("networkidle").catch(() => undefined);
      await page.waitForTimeout(1000);
    }
    expect(errors).toEqual([]);
  });
});
