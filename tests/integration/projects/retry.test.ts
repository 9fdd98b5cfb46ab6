import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/projects/[id]/retry/route";
import { inngestClient } from "@/lib/jobs/client";
import { db } from "@/lib/db/client";
import { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { embeddedRunner } from "@/lib/jobs/send-event";
import { callRoute } from "../../support/routes";
import { removeJobRunnerAfter, runJobsIn } from "../../support/job-runner";
import { testUser } from "../../support/users";
import { insertProject } from "./fixtures";

type Received = { name: string; id: string; data: Record<string, unknown> };

describe("POST /api/projects/:id/retry", () => {
  const owner = testUser("retrier");
  const stranger = testUser("stranger");
  const received: Received[] = [];

  beforeAll(async () => {
    // Stand-ins for process-video and import-url that record what they were sent.
    const record = (id: string, event: string) =>
      inngestClient().createFunction({ id, triggers: [{ event }], retries: 0 }, async ({ event: e }) => {
        received.push({ name: e.name, id: e.id ?? "", data: e.data as Record<string, unknown> });
      });
    runJobsIn(
      new EmbeddedRunner([record("record-process", "video/process"), record("record-import", "video/import")], {
        retryDelayMs: () => 5,
      }),
    );
  });
  removeJobRunnerAfter("all");
  beforeEach(() => {
    received.length = 0;
  });

  async function fail(projectId: string) {
    await db()`update projects set status = 'error', error_code = 'probe_failed', error_message = 'Could not read the video.' where id = ${projectId}`;
  }

  it("queues a failed upload again, clears the error and sends a fresh video/process event", async () => {
    const projectId = await insertProject(owner, {
      status: "error",
      errorCode: "probe_failed",
      errorMessage: "Could not read the video.",
      r2Key: `uploads/${owner.id}/u/broken.mp4`,
      uploadCompletedAt: new Date(),
    });
    const { status, body } = await callRoute(POST, { params: { id: projectId }, headers: owner.auth });
    expect(status).toBe(202);
    expect(body).toEqual({ projectId, status: "queued" });
    await (await embeddedRunner()).idle();

    const [row] = await db()<{ status: string; errorCode: string | null; progress: number }[]>`
      select status, error_code as "errorCode", progress from projects where id = ${projectId}`;
    expect(row).toEqual({ status: "queued", errorCode: null, progress: 0 });
    expect(received).toEqual([
      { name: "video/process", id: `process-${projectId}-retry-1`, data: { projectId, userId: owner.id } },
    ]);
    const [event] = await db()<{ kind: string }[]>`
      select kind from project_events where project_id = ${projectId} order by id desc limit 1`;
    expect(event?.kind).toBe("retry_requested");
  });

  it("gives each retry of the same project its own event id, so none is dropped as a duplicate", async () => {
    const projectId = await insertProject(owner, { status: "error", r2Key: "k", uploadCompletedAt: new Date() });
    await callRoute(POST, { params: { id: projectId }, headers: owner.auth });
    await fail(projectId);
    await callRoute(POST, { params: { id: projectId }, headers: owner.auth });
    await (await embeddedRunner()).idle();
    expect(received.map((e) => e.id)).toEqual([`process-${projectId}-retry-1`, `process-${projectId}-retry-2`]);
  });

  it("starts only one run when retry is clicked twice at once", async () => {
    const projectId = await insertProject(owner, { status: "error", r2Key: "k", uploadCompletedAt: new Date() });
    const [a, b] = await Promise.all([
      callRoute(POST, { params: { id: projectId }, headers: owner.auth }),
      callRoute(POST, { params: { id: projectId }, headers: owner.auth }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    await (await embeddedRunner()).idle();
    expect(received).toHaveLength(1);
  });

  it("downloads a link again when the failed import never stored the video", async () => {
    const url = "https://videos.example.com/clip.mp4";
    const projectId = await insertProject(owner, { status: "error", sourceType: "url", sourceUrl: url });
    const { status, body } = await callRoute(POST, { params: { id: projectId }, headers: owner.auth });
    expect(status).toBe(202);
    expect(body.status).toBe("uploading");
    await (await embeddedRunner()).idle();
    expect(received).toEqual([
      { name: "video/import", id: `import-${projectId}-retry-1`, data: { projectId, userId: owner.id, url } },
    ]);
  });

  it("processes an import again without downloading when its video is already stored", async () => {
    const projectId = await insertProject(owner, {
      status: "error",
      sourceType: "url",
      sourceUrl: "https://videos.example.com/clip.mp4",
      r2Key: `uploads/${owner.id}/u/clip.mp4`,
      uploadCompletedAt: new Date(),
    });
    await callRoute(POST, { params: { id: projectId }, headers: owner.auth });
    await (await embeddedRunner()).idle();
    expect(received.map((e) => e.name)).toEqual(["video/process"]);
  });

  it("refuses to retry a project that has not failed, with 409 and its status", async () => {
    const projectId = await insertProject(owner, { status: "processing" });
    const { status, body } = await callRoute(POST, { params: { id: projectId }, headers: owner.auth });
    expect(status).toBe(409);
    expect(body.error.message).toMatch(/this one is processing/);
    await (await embeddedRunner()).idle();
    expect(received).toEqual([]);
  });

  it("answers 404 to another user and sends nothing", async () => {
    const projectId = await insertProject(owner, { status: "error" });
    const { status } = await callRoute(POST, { params: { id: projectId }, headers: stranger.auth });
    expect(status).toBe(404);
    await (await embeddedRunner()).idle();
    expect(received).toEqual([]);
    const [row] = await db()<{ status: string }[]>`select status from projects where id = ${projectId}`;
    expect(row?.status).toBe("error");
  });
});
