import { describe, expect, it } from "vitest";
import { GET as projectEvents } from "@/app/api/projects/[id]/events/route";
import { GET as projectChanges } from "@/app/api/projects/events/route";
import { streamProjectEvents } from "@/lib/projects/stream-project-events";
import { callRoute } from "../../support/routes";
import { createTestUser, testUser, type TestUser } from "../../support/users";
import { insertProject, makeReady, setStatus } from "./fixtures";

type Frame = { event?: string; data?: any; comment?: string };

/** Reads server-sent event frames off a response body as they arrive. */
function frames(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  return {
    async next(timeoutMs = 10_000): Promise<Frame | null> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const split = buffer.indexOf("\n\n");
        if (split >= 0) {
          const raw = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const frame: Frame = {};
          for (const line of raw.split("\n")) {
            if (line.startsWith(":")) frame.comment = line.slice(1).trim();
            else if (line.startsWith("event: ")) frame.event = line.slice(7);
            else if (line.startsWith("data: ")) frame.data = JSON.parse(line.slice(6));
          }
          if (frame.event || frame.comment || frame.data !== undefined) return frame;
          continue;
        }
        if (ended) return null;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error("no event arrived in time");
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event arrived in time")), remaining)),
        ]);
        if (chunk.done) ended = true;
        else buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

function request(path: string, user: TestUser, signal?: AbortSignal) {
  return new Request(`http://localhost:3000${path}`, { headers: user.auth, signal });
}

describe("GET /api/projects/:id/events", () => {
  const owner = testUser("watcher");
  const stranger = testUser("stranger");

  it("sends the project now, each change of stage and progress, and ends once it is ready", async () => {
    const projectId = await insertProject(owner, { status: "processing", stage: "probe", progress: 5 });
    const response = await projectEvents(request(`/api/projects/${projectId}/events`, owner), {
      params: Promise.resolve({ id: projectId }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("cache-control")).toContain("no-transform");
    const stream = frames(response.body!);

    const first = await stream.next();
    expect(first).toMatchObject({ event: "project", data: { id: projectId, status: "processing", stage: "probe", progress: 5 } });

    await setStatus(projectId, { status: "processing", stage: "transcode", progress: 42 });
    const second = await stream.next();
    expect(second).toMatchObject({ event: "project", data: { stage: "transcode", progress: 42 } });

    await makeReady(owner, projectId);
    const ready = await stream.next();
    expect(ready).toMatchObject({ event: "project", data: { status: "ready", progress: 100 } });
    expect(ready?.data.playbackUrl).toEqual(expect.any(String));
    expect(ready?.data.timeline.map((t: { kind: string }) => t.kind)).toContain("ready");
    expect(await stream.next()).toMatchObject({ event: "end", data: { reason: "settled" } });
    expect(await stream.next()).toBeNull();
  });

  it("sends a failed project's error and ends", async () => {
    const projectId = await insertProject(owner, {
      status: "error",
      errorCode: "not_a_video",
      errorMessage: "This file is not a video we can read.",
    });
    const response = await projectEvents(request(`/api/projects/${projectId}/events`, owner), {
      params: Promise.resolve({ id: projectId }),
    });
    const stream = frames(response.body!);
    expect(await stream.next()).toMatchObject({
      event: "project",
      data: { status: "error", error: { code: "not_a_video", message: "This file is not a video we can read." } },
    });
    expect(await stream.next()).toMatchObject({ event: "end" });
  });

  it("answers 404 to another user before any stream starts", async () => {
    const projectId = await insertProject(owner);
    const { status, body } = await callRoute(projectEvents, { params: { id: projectId }, headers: stranger.auth });
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
  });

  it("keeps an idle stream alive with heartbeats and stops when the client goes away", async () => {
    const projectId = await insertProject(owner, { status: "queued" });
    const client = new AbortController();
    const body = await streamProjectEvents(owner.claims, projectId, {
      signal: client.signal,
      timing: { pollIntervalMs: 20, heartbeatMs: 100 },
    });
    const stream = frames(body);
    expect(await stream.next()).toMatchObject({ event: "project", data: { status: "queued" } });
    expect(await stream.next(2000)).toEqual({ comment: "heartbeat" });
    client.abort();
    expect(await stream.next(2000)).toBeNull();
  });

  it("says the project was deleted when it disappears while watched", async () => {
    const projectId = await insertProject(owner, { status: "processing" });
    const body = await streamProjectEvents(owner.claims, projectId, {
      signal: new AbortController().signal,
      timing: { pollIntervalMs: 20 },
    });
    const stream = frames(body);
    await stream.next();
    const { db } = await import("@/lib/db/client");
    await db()`delete from projects where id = ${projectId}`;
    expect(await stream.next()).toEqual({ event: "deleted", data: { id: projectId } });
    expect(await stream.next()).toMatchObject({ event: "end" });
  });
});

describe("GET /api/projects/events", () => {
  it("streams the user's new and changed projects, and nobody else's", async () => {
    const owner = await createTestUser("list-watcher");
    const stranger = await createTestUser("stranger");
    const since = new Date();
    const client = new AbortController();
    const response = await projectChanges(
      request(`/api/projects/events?since=${encodeURIComponent(since.toISOString())}`, owner, client.signal),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(200);
    const stream = frames(response.body!);

    await insertProject(stranger, { title: "someone else's" });
    const projectId = await insertProject(owner, { title: "fresh upload", status: "queued" });
    const added = await stream.next();
    expect(added).toMatchObject({ event: "project", data: { id: projectId, title: "fresh upload", status: "queued" } });

    await setStatus(projectId, { status: "processing", stage: "thumbnail", progress: 70 });
    let changed = await stream.next();
    while (changed?.comment) changed = await stream.next();
    expect(changed).toMatchObject({ event: "project", data: { id: projectId, stage: "thumbnail", progress: 70 } });
    client.abort();
  });

  it("refuses a since that is not a time", async () => {
    const owner = await createTestUser("list-watcher");
    const { status } = await callRoute(projectChanges, { path: "/api/projects/events?since=yesterday", headers: owner.auth });
    expect(status).toBe(422);
  });
});
