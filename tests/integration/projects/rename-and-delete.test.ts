import { beforeAll, describe, expect, it } from "vitest";
import { DELETE, GET, PATCH } from "@/app/api/projects/[id]/route";
import { db } from "@/lib/db/client";
import { embeddedRunner } from "@/lib/jobs/send-event";
import { headObject, putObject } from "@/lib/storage/objects";
import { outputKeys } from "@/lib/storage/keys";
import { callRoute } from "../../support/routes";
import { removeJobRunnerAfter, runJobsIn } from "../../support/job-runner";
import { testUser } from "../../support/users";
import { insertProject, makeReady } from "./fixtures";

describe("PATCH /api/projects/:id", () => {
  const owner = testUser("renamer");
  const stranger = testUser("stranger");
  let projectId: string;

  beforeAll(async () => {
    projectId = await insertProject(owner, { title: "IMG_0042.mov" });
  });

  it("renames the project, trimming the title, and notes it on the timeline", async () => {
    const { status, body } = await callRoute(PATCH, {
      method: "PATCH",
      params: { id: projectId },
      headers: owner.auth,
      body: { title: "  Launch <script>alert(1)</script> day  " },
    });
    expect(status).toBe(200);
    expect(body.title).toBe("Launch <script>alert(1)</script> day");
    const details = await callRoute(GET, { params: { id: projectId }, headers: owner.auth });
    expect(details.body.title).toBe("Launch <script>alert(1)</script> day");
    expect(details.body.timeline.at(-1)).toMatchObject({ kind: "renamed" });
  });

  it("refuses an empty or overlong title with 422 and a reason", async () => {
    const empty = await callRoute(PATCH, { method: "PATCH", params: { id: projectId }, headers: owner.auth, body: { title: "   " } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toBe("The title cannot be empty.");
    const long = await callRoute(PATCH, { method: "PATCH", params: { id: projectId }, headers: owner.auth, body: { title: "x".repeat(301) } });
    expect(long.status).toBe(422);
    expect(long.body.error.message).toMatch(/at most 300/);
  });

  it("answers 404 to another user and leaves the title alone", async () => {
    const { status } = await callRoute(PATCH, {
      method: "PATCH",
      params: { id: projectId },
      headers: stranger.auth,
      body: { title: "mine now" },
    });
    expect(status).toBe(404);
    const [row] = await db()<{ title: string }[]>`select title from projects where id = ${projectId}`;
    expect(row?.title).toBe("Launch <script>alert(1)</script> day");
  });
});

describe("DELETE /api/projects/:id", () => {
  const owner = testUser("deleter");
  const stranger = testUser("stranger");
  beforeAll(() => runJobsIn());
  removeJobRunnerAfter("all");

  it("deletes the project, its timeline and clips, and removes every stored file", async () => {
    const projectId = await insertProject(owner, { status: "processing" });
    await makeReady(owner, projectId);
    const original = `uploads/${owner.id}/00000000-0000-4000-8000-000000000001/talk.mp4`;
    await putObject(original, Buffer.from("original"), { contentType: "video/mp4" });
    await db()`
      insert into uploads (project_id, user_id, key, filename, content_type, size, method, expires_at, status)
      values (${projectId}, ${owner.id}, ${original}, 'talk.mp4', 'video/mp4', 8, 'single', now() + interval '1 day', 'completed')`;

    const { status } = await callRoute(DELETE, { method: "DELETE", params: { id: projectId }, headers: owner.auth });
    expect(status).toBe(204);
    await (await embeddedRunner()).idle();

    expect(await db()`select id from projects where id = ${projectId}`).toHaveLength(0);
    expect(await db()`select id from clips where project_id = ${projectId}`).toHaveLength(0);
    expect(await db()`select id from project_events where project_id = ${projectId}`).toHaveLength(0);
    expect(await headObject(original)).toBeNull();
    expect(await headObject(outputKeys.playback(owner.id, projectId))).toBeNull();
    expect(await headObject(outputKeys.clip(owner.id, projectId, 1))).toBeNull();
    const [sent] = await db()<{ sentAt: Date | null; payload: { uploadKeys: string[] } }[]>`
      select sent_at as "sentAt", payload from outbox where event_id = ${`deleted-${projectId}`}`;
    expect(sent?.sentAt).toBeInstanceOf(Date);
    expect(sent?.payload.uploadKeys).toEqual([original]);
  });

  it("answers 404 to another user and deletes nothing", async () => {
    const projectId = await insertProject(owner);
    const { status } = await callRoute(DELETE, { method: "DELETE", params: { id: projectId }, headers: stranger.auth });
    expect(status).toBe(404);
    expect(await db()`select id from projects where id = ${projectId}`).toHaveLength(1);
    expect(await db()`select id from outbox where event_id = ${`deleted-${projectId}`}`).toHaveLength(0);
  });

  it("answers 404 when the project is already gone", async () => {
    const projectId = await insertProject(owner);
    expect((await callRoute(DELETE, { method: "DELETE", params: { id: projectId }, headers: owner.auth })).status).toBe(204);
    expect((await callRoute(DELETE, { method: "DELETE", params: { id: projectId }, headers: owner.auth })).status).toBe(404);
  });
});
