import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/projects/route";
import { callRoute } from "../../support/routes";
import { createTestUser, testUser } from "../../support/users";
import { insertProject } from "./fixtures";

describe("GET /api/projects", () => {
  const owner = testUser("lister");
  const stranger = testUser("stranger");
  const created: string[] = [];

  beforeAll(async () => {
    const base = Date.UTC(2026, 0, 1);
    // 120 projects, two per second with equal timestamps, so the cursor must break ties by id.
    for (let i = 0; i < 120; i++) {
      created.push(await insertProject(owner, { title: `video ${i}`, createdAt: new Date(base + Math.floor(i / 2) * 1000) }));
    }
    await insertProject(stranger, { title: "not yours" });
  });

  it("refuses a request without a user", async () => {
    const { status, body } = await callRoute(GET, { path: "/api/projects" });
    expect(status).toBe(401);
    expect(body.error.code).toBe("unauthorized");
  });

  it("returns the first 50 of the user's own projects, newest first, with a cursor to the next page", async () => {
    const { status, body } = await callRoute(GET, { path: "/api/projects", headers: owner.auth });
    expect(status).toBe(200);
    expect(body.projects).toHaveLength(50);
    // The newest second holds videos 118 and 119; ties are ordered by id.
    expect(["video 118", "video 119"]).toContain(body.projects[0].title);
    expect(body.projects.every((p: { title: string }) => p.title !== "not yours")).toBe(true);
    const times = body.projects.map((p: { createdAt: string }) => Date.parse(p.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(typeof body.nextCursor).toBe("string");
    expect(body.projects[0]).toMatchObject({
      id: expect.any(String),
      status: "processing",
      stage: null,
      progress: 0,
      error: null,
      sourceType: "upload",
      thumbnailUrl: null,
    });
  });

  it("pages through every project exactly once and ends with a null cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/api/projects?limit=50${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`;
      const { status, body } = await callRoute(GET, { path, headers: owner.auth });
      expect(status).toBe(200);
      seen.push(...body.projects.map((p: { id: string }) => p.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(120);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it("honours a smaller limit and refuses one out of range", async () => {
    const small = await callRoute(GET, { path: "/api/projects?limit=7", headers: owner.auth });
    expect(small.body.projects).toHaveLength(7);
    const tooMany = await callRoute(GET, { path: "/api/projects?limit=1000", headers: owner.auth });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.message).toMatch(/at most 100/);
  });

  it("answers 400 for a cursor it did not make", async () => {
    const { status, body } = await callRoute(GET, { path: "/api/projects?before=not-a-cursor", headers: owner.auth });
    expect(status).toBe(400);
    expect(body.error.code).toBe("bad_request");
  });

  it("shows a user with no projects an empty list", async () => {
    const newcomer = await createTestUser("newcomer");
    const { status, body } = await callRoute(GET, { path: "/api/projects", headers: newcomer.auth });
    expect(status).toBe(200);
    expect(body).toEqual({ projects: [], nextCursor: null });
  });
});
