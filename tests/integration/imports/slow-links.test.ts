import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteProject } from "@/app/api/projects/[id]/route";
import { POST as createImport } from "@/app/api/imports/route";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import type { EmbeddedRunner, RunOutcome } from "@/lib/jobs/embedded-runner";
import { downloadImport, IMPORT_PROJECT_CHECK_MS } from "@/lib/imports/import-source";
import { listOpenMultipartUploads } from "@/lib/storage/multipart";
import { listObjects } from "@/lib/storage/objects";
import { h264AacMp4, type TestMedia } from "../../support/media";
import { startFixtureServer, type FixtureServer } from "../../support/http-fixtures";
import { callRoute } from "../../support/routes";
import { appJobRunner, removeJobRunnerAfter, runJobsIn } from "../../support/job-runner";
import { createTestUser, type TestUser } from "../../support/users";

// Links that are slow on purpose, served by a local HTTP server: a trickle (a few bytes
// every 100 ms, never ending) and a stall (1 KB, then silence). What an abusive or broken
// link does to the import slots, to the project, and to storage.

const STALL_SECONDS = 2;

async function project(projectId: string) {
  const [row] = await db()<{ status: string; errorCode: string | null; errorMessage: string | null; r2Key: string | null }[]>`
    select status, error_code as "errorCode", error_message as "errorMessage", r2_key as "r2Key" from projects where id = ${projectId}`;
  return row;
}

/** Every trace an import can leave in storage: objects and open multipart uploads under the person's imports. */
async function storedUnder(prefix: string): Promise<{ objects: string[]; openUploads: string[] }> {
  const open = await listOpenMultipartUploads(prefix);
  if (open === null) throw new Error("the local storage should list open multipart uploads");
  return { objects: (await listObjects(prefix)).map((o) => o.key), openUploads: open.map((u) => u.key) };
}

describe("imports from slow or stalled links", () => {
  let server: FixtureServer;
  let video: TestMedia;
  const open = new Map<string, number>(); // trickles open now, per person
  const mostOpen = new Map<string, number>();
  const closedAt = new Map<string, number>(); // when each trickle's connection went, by path
  const outcomes: RunOutcome[] = [];

  const trickle = (who: string, path: string, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "video/mp4" });
    open.set(who, (open.get(who) ?? 0) + 1);
    mostOpen.set(who, Math.max(mostOpen.get(who) ?? 0, open.get(who)!));
    const timer = setInterval(() => res.write(Buffer.alloc(16, 7)), 100);
    res.on("close", () => {
      clearInterval(timer);
      open.set(who, open.get(who)! - 1);
      closedAt.set(path, Date.now());
    });
  };

  beforeAll(async () => {
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "127.0.0.1", IMPORT_STALL_SECONDS: String(STALL_SECONDS) });
    video = await h264AacMp4({ seconds: 2 });
    server = await startFixtureServer((req, res) => {
      const path = req.url ?? "/";
      const trickling = /^\/trickle\/([^/]+)\/[^/]+\/video\.mp4$/.exec(path);
      if (trickling) {
        trickle(trickling[1]!, path, res);
      } else if (path.startsWith("/stall/")) {
        res.writeHead(200, { "content-type": "video/mp4" });
        res.write(Buffer.alloc(1024, 1));
      } else if (path === "/talk.mp4") {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": video.bytes.length });
        res.end(video.bytes);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  removeJobRunnerAfter("each");
  afterAll(async () => {
    await server?.close();
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "", IMPORT_STALL_SECONDS: "60" });
  });

  function freshRunner(): EmbeddedRunner {
    return runJobsIn(appJobRunner({ onOutcome: (o) => outcomes.push(o) }));
  }

  async function startImport(user: TestUser, url: string): Promise<string> {
    const { status, body } = await callRoute(createImport, { body: { url }, headers: user.auth });
    expect(status).toBe(202);
    return body.projectId;
  }

  it("does not let one person's four trickling imports delay another person's import", async () => {
    const runner = freshRunner();
    const hog = await createTestUser("trickler");
    const other = await createTestUser("patient");
    const hogProjects: string[] = [];
    for (let i = 0; i < 4; i++) hogProjects.push(await startImport(hog, server.url(`/trickle/${hog.id}/${i}/video.mp4`)));
    await expect.poll(() => open.get(hog.id) ?? 0).toBe(2); // PROCESSING_CONCURRENCY_PER_USER

    const asked = Date.now();
    const otherProject = await startImport(other, server.url("/talk.mp4"));
    // Downloaded, verified and queued while every one of the hog's imports still trickles.
    await expect.poll(async () => (await project(otherProject))?.r2Key ?? null, { timeout: 10_000, interval: 100 }).not.toBeNull();
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(mostOpen.get(hog.id)).toBe(2);
    for (const id of hogProjects) expect((await project(id))?.status).toBe("uploading");

    // Deleting the hog's projects stops their downloads (running and queued alike).
    for (const id of hogProjects) {
      expect((await callRoute(deleteProject, { method: "DELETE", params: { id }, headers: hog.auth })).status).toBe(204);
    }
    await runner.idle();
    expect(open.get(hog.id)).toBe(0);
    expect(mostOpen.get(hog.id)).toBe(2);
    expect(await storedUnder(`imports/${hog.id}/`)).toEqual({ objects: [], openUploads: [] });
    expect((await project(otherProject))?.status).toBe("ready");
  }, 60_000);

  it(`fails a download that stops sending bytes for IMPORT_STALL_SECONDS with a clear message, leaving nothing stored`, async () => {
    const runner = freshRunner();
    const user = await createTestUser("stalled");
    const started = Date.now();
    const projectId = await startImport(user, server.url(`/stall/${randomUUID()}/video.mp4`));
    await runner.idle();
    // Three attempts (the function's retries), each given up after the stall limit.
    expect(Date.now() - started).toBeLessThan(3 * STALL_SECONDS * 1000 + 5_000);
    expect(await project(projectId)).toMatchObject({
      status: "error",
      errorCode: "download_failed",
      errorMessage: `The link stopped sending data for ${STALL_SECONDS} s, so the download was stopped. Check that the link works in a browser, then retry.`,
      r2Key: null,
    });
    expect(await storedUnder(`imports/${user.id}/`)).toEqual({ objects: [], openUploads: [] });
  }, 30_000);

  it("aborts a download at once when its project is deleted, leaving no partial object or open multipart upload", async () => {
    const runner = freshRunner();
    const user = await createTestUser("deletes-mid-download");
    const path = `/trickle/${user.id}/only/video.mp4`;
    const projectId = await startImport(user, server.url(path));
    await expect.poll(() => open.get(user.id) ?? 0).toBe(1);
    await expect.poll(async () => (await storedUnder(`imports/${user.id}/`)).openUploads.length).toBe(1);

    const deletedAt = Date.now();
    expect((await callRoute(deleteProject, { method: "DELETE", params: { id: projectId }, headers: user.auth })).status).toBe(204);
    await expect.poll(() => closedAt.get(path) ?? null, { timeout: 2_000, interval: 20 }).not.toBeNull();
    expect(closedAt.get(path)! - deletedAt).toBeLessThan(1_000);
    await runner.idle();
    expect(outcomes.filter((o) => o.functionId === "import-url").at(-1)).toMatchObject({ status: "cancelled" });
    expect(await storedUnder(`imports/${user.id}/`)).toEqual({ objects: [], openUploads: [] });
  }, 30_000);

  it("stops a download whose project was deleted when no run signal tells it (Inngest Cloud), at its next database check", async () => {
    const user = await createTestUser("deleted-on-cloud");
    const path = `/trickle/${user.id}/cloud/video.mp4`;
    const projectId = randomUUID();
    const url = server.url(path);
    await db()`
      insert into projects (id, user_id, title, status, source_type, source_url)
      values (${projectId}, ${user.id}, 'video', 'uploading', 'url', ${url})`;
    const download = downloadImport(db(), { projectId, userId: user.id, url }, new Date());
    const settled = download.then(
      () => "downloaded",
      (error: Error) => error.message,
    );
    await expect.poll(() => open.get(user.id) ?? 0).toBe(1);
    await db()`delete from projects where id = ${projectId}`;
    const deletedAt = Date.now();
    expect(await settled).toMatch(/no longer waiting for this download/);
    expect(Date.now() - deletedAt).toBeLessThan(IMPORT_PROJECT_CHECK_MS + 2_000);
    expect(await storedUnder(`imports/${user.id}/`)).toEqual({ objects: [], openUploads: [] });
  }, 30_000);
});
