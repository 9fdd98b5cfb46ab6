import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createImport } from "@/app/api/imports/route";
import { importUrlFunction } from "@/inngest/functions/import-url";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { headObject } from "@/lib/storage/objects";
import { h264AacMp4, textFile, type TestMedia } from "../../support/media";
import { startFixtureServer, type FixtureServer } from "../../support/http-fixtures";
import { callRoute } from "../../support/routes";
import { removeJobRunnerAfter, runJobsIn } from "../../support/job-runner";
import { testUser } from "../../support/users";

async function project(projectId: string) {
  const [row] = await db()<
    { status: string; errorCode: string | null; errorMessage: string | null; r2Key: string | null; sourceType: string; sourceUrl: string }[]
  >`select status, error_code as "errorCode", error_message as "errorMessage", r2_key as "r2Key",
       source_type as "sourceType", source_url as "sourceUrl" from projects where id = ${projectId}`;
  return row!;
}

async function timelineKinds(projectId: string): Promise<string[]> {
  const rows = await db()<{ kind: string }[]>`select kind from project_events where project_id = ${projectId} order by id`;
  return rows.map((r) => r.kind);
}

describe("importing a video from a pasted link", () => {
  let server: FixtureServer;
  const user = testUser("importer");
  let video: TestMedia;

  beforeAll(async () => {
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "127.0.0.1" });
    video = await h264AacMp4({ seconds: 2 });
    const text = textFile();
    server = await startFixtureServer((req, res) => {
      if (req.url === "/talk.mp4") {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": video.bytes.length });
        res.end(video.bytes);
      } else if (req.url === "/notes.mp4") {
        res.writeHead(200, { "content-type": "video/mp4" });
        res.end(text.bytes);
      } else if (req.url === "/watch") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>a video page</body></html>");
      } else if (req.url === "/unavailable.mp4") {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("try later");
      } else if (req.url === "/go-internal") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  removeJobRunnerAfter("each");
  afterAll(async () => {
    await server?.close();
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "" });
  });

  async function importAndWait(url: string) {
    const runner = runJobsIn();
    const response = await callRoute(createImport, { body: { url }, headers: user.auth });
    await runner.idle();
    return response;
  }

  it("downloads the file, verifies it and takes it through processing to ready", async () => {
    const { status, body } = await importAndWait(server.url("/talk.mp4"));
    expect(status).toBe(202);
    const row = await project(body.projectId);
    expect(row).toMatchObject({ status: "ready", sourceType: "url", sourceUrl: server.url("/talk.mp4"), errorCode: null });
    expect((await headObject(row.r2Key!))?.size).toBe(video.bytes.length);
    expect(await timelineKinds(body.projectId)).toEqual(expect.arrayContaining(["import_started", "upload_completed", "ready"]));
    const usage = await db()`select 1 from usage_events where project_id = ${body.projectId}`;
    expect(usage.length).toBe(1);
  });

  it("ends a web page link in error saying it is not a video file, without charging the quota", async () => {
    const { status, body } = await importAndWait(server.url("/watch"));
    expect(status).toBe(202);
    expect(await project(body.projectId)).toMatchObject({
      status: "error",
      errorCode: "not_a_video",
      errorMessage: expect.stringMatching(/this link is a web page, not a video file/i),
    });
    expect((await db()`select 1 from usage_events where project_id = ${body.projectId}`).length).toBe(0);
  });

  it("ends a redirect to a metadata address in error and never connects there", async () => {
    const { body } = await importAndWait(server.url("/go-internal"));
    expect(await project(body.projectId)).toMatchObject({ status: "error", errorCode: "url_refused", errorMessage: expect.stringMatching(/link-local/) });
  });

  it("refuses a file that is not a video after download and deletes what it stored", async () => {
    const { body } = await importAndWait(server.url("/notes.mp4"));
    const row = await project(body.projectId);
    expect(row).toMatchObject({ status: "error", errorCode: "not_a_video", r2Key: null });
    const stored = await db()<{ n: number }[]>`select count(*)::int as n from projects where id = ${body.projectId} and r2_key is not null`;
    expect(stored[0]!.n).toBe(0);
    expect(await headObject(`imports/${user.id}/${body.projectId}/notes.mp4`)).toBeNull();
  });

  it("retries a link that keeps failing, then shows why on the project and deletes nothing it should keep", async () => {
    const requestsBefore = server.requests.filter((r) => r === "/unavailable.mp4").length;
    const { body } = await importAndWait(server.url("/unavailable.mp4"));
    expect(await project(body.projectId)).toMatchObject({
      status: "error",
      errorCode: "download_failed",
      errorMessage: expect.stringMatching(/HTTP 503/),
    });
    // The function's retries: three attempts in all.
    expect(server.requests.filter((r) => r === "/unavailable.mp4").length - requestsBefore).toBe(3);
  });

  it("refuses a private address before creating anything, with 422 and the reason", async () => {
    const before = await db()<{ n: number }[]>`select count(*)::int as n from projects where user_id = ${user.id}`;
    const { status, body } = await callRoute(createImport, { body: { url: "http://10.1.2.3/video.mp4" }, headers: user.auth });
    expect(status).toBe(422);
    expect(body.error).toMatchObject({ code: "url_refused", message: expect.stringMatching(/private network/) });
    const after = await db()<{ n: number }[]>`select count(*)::int as n from projects where user_id = ${user.id}`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("asks for sign-in and for a link", async () => {
    expect((await callRoute(createImport, { body: { url: server.url("/talk.mp4") } })).status).toBe(401);
    const empty = await callRoute(createImport, { body: { url: "" }, headers: user.auth });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toBe("Paste a link to a video file.");
  });

  it("does nothing when the import event arrives again for a project already queued", async () => {
    const { body } = await importAndWait(server.url("/talk.mp4"));
    const runner = new EmbeddedRunner([importUrlFunction()], { retryDelayMs: () => 5 });
    const [run] = runner.send([{ name: "video/import", id: "late-duplicate", data: { projectId: body.projectId, userId: user.id, url: server.url("/talk.mp4") } }]).runs;
    expect(await run).toMatchObject({ status: "completed", output: { status: "skipped" } });
    expect((await db()`select 1 from project_events where project_id = ${body.projectId} and kind = 'upload_completed'`).length).toBe(1);
  });
});
