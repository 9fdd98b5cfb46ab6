import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeDb, createSql, db } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { setEnvForProcess } from "@/lib/env";
import { listOpenMultipartUploads } from "@/lib/storage/multipart";
import { listObjects } from "@/lib/storage/objects";
import { h264AacMp4, type TestMedia } from "@/tests/support/media";
import { createTestUser, type TestUser } from "@/tests/support/users";
import { longRecordingWebm, noisyMp4 } from "./support/media";
import { FaultStack, type ServiceProcess } from "./support/stack";

// The operator's worst day, on the stack `npm run dev` runs (durable Postgres, the local
// storage, the app in embedded job mode — each a real process): SIGKILL at chosen points,
// Postgres and storage killed and started again, cut-off PUTs, deletes mid-flight. Then the
// reconciler with its clock past every bound, and the final state read straight from
// Postgres and storage: nothing left waiting, no acknowledged write lost, usage counted
// exactly once per ready video, no orphan object, no open multipart upload.
//
// The app runs with the defaults (stall bound, reconcile schedule, upload expiry); the
// final pass advances the reconciler's clock past them instead of waiting.

const MiB = 1024 * 1024;
const UPLOAD_EXPIRY_HOURS = 24;
const TERMINAL_PROJECT = ["ready", "error", "expired", "canceled"];
const TERMINAL_UPLOAD = ["completed", "expired", "aborted", "failed"];
// Small files go up in one PUT, bigger ones as 5 MiB parts (the S3 minimum), so a
// multipart upload stays cheap to make.
const appSettings = { UPLOAD_SINGLE_PUT_MAX_BYTES: String(4 * MiB), UPLOAD_PART_SIZE_BYTES: String(5 * MiB) };

type CreatedUpload = {
  uploadId: string;
  projectId: string;
  key: string;
  method: "single" | "multipart";
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  partCount?: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function project(projectId: string) {
  const [row] = await db()<{ status: string; stage: string | null; errorCode: string | null; processingRunId: string | null }[]>`
    select status, stage, error_code as "errorCode", processing_run_id as "processingRunId" from projects where id = ${projectId}`;
  return row;
}

async function upload(uploadId: string) {
  const [row] = await db()<{ status: string; key: string }[]>`select status, key from uploads where id = ${uploadId}`;
  return row;
}

const untilStatus = (projectId: string, statuses: string[], timeoutMs?: number) =>
  waitFor(`project ${projectId} to be ${statuses.join(" or ")}`, async () => {
    const row = await project(projectId);
    return row && statuses.includes(row.status) ? row : undefined;
  }, timeoutMs);

const untilStage = (projectId: string, stage: string) =>
  waitFor(`project ${projectId} to reach the ${stage} stage`, async () => (await project(projectId))?.stage === stage);

describe("the stack under faults", () => {
  let stack: FaultStack;
  let alice: TestUser;
  let bob: TestUser;
  let small: TestMedia;
  let long: TestMedia;
  let big: TestMedia;
  // What the app acknowledged: projects it answered 201 for, completions it answered `queued` for.
  const acknowledged = { projects: new Set<string>(), queued: new Set<string>(), deleted: new Set<string>() };
  const users: TestUser[] = [];
  const retriedAfterOutage: string[] = [];
  // Uploads whose client is gone with the file incomplete: their deadline must end them.
  const expiring: CreatedUpload[] = [];
  const recovery: { startUp: number; redrive: number; interrupted: number }[] = [];

  async function restartApp(extra: Record<string, string> = {}): Promise<ServiceProcess> {
    await stack.app?.kill();
    return stack.startApp({ ...appSettings, ...extra });
  }

  async function createUpload(user: TestUser, media: TestMedia): Promise<CreatedUpload> {
    const created = await stack.call("POST", "/api/uploads", user.token, {
      filename: media.filename,
      size: media.bytes.length,
      contentType: media.contentType,
    });
    expect(created.status).toBe(201);
    acknowledged.projects.add(created.body.projectId);
    return created.body as CreatedUpload;
  }

  async function putSingle(created: CreatedUpload, bytes: Buffer): Promise<void> {
    const put = await fetch(created.url!, { method: "PUT", body: new Uint8Array(bytes), headers: created.headers });
    expect(put.status).toBe(200);
  }

  /** PUTs the given parts straight to storage, as the web client does, without recording them: it lists them on completion. */
  async function putParts(user: TestUser, created: CreatedUpload, bytes: Buffer, partNumbers: number[]) {
    const signed = await stack.call("POST", `/api/uploads/${created.uploadId}/parts`, user.token, { partNumbers });
    expect(signed.status).toBe(200);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of signed.body.parts as { partNumber: number; url: string }[]) {
      const chunk = bytes.subarray((part.partNumber - 1) * created.partSize!, part.partNumber * created.partSize!);
      const put = await fetch(part.url, { method: "PUT", body: new Uint8Array(chunk) });
      expect(put.status).toBe(200);
      parts.push({ partNumber: part.partNumber, etag: put.headers.get("etag")! });
    }
    return parts;
  }

  async function complete(user: TestUser, created: CreatedUpload, body: unknown = {}) {
    const answer = await stack.call("POST", `/api/uploads/${created.uploadId}/complete`, user.token, body);
    if (answer.status === 200 && answer.body.status === "queued") acknowledged.queued.add(created.projectId);
    return answer;
  }

  async function uploadAndComplete(user: TestUser, media: TestMedia): Promise<CreatedUpload> {
    const created = await createUpload(user, media);
    await putSingle(created, media.bytes);
    const answer = await complete(user, created);
    expect(answer).toMatchObject({ status: 200, body: { status: "queued" } });
    return created;
  }

  /** A browser process that sends part of a PUT's body and is then killed. */
  async function startCutOffPut(created: CreatedUpload, total: number): Promise<{ kill: () => void; exited: Promise<unknown> }> {
    const child = spawn(path.join(process.cwd(), "node_modules/.bin/tsx"), [
      "tests/faults/support/put-client.ts",
      created.url!,
      JSON.stringify(created.headers ?? {}),
      String(total),
      String(Math.floor(total / 2)),
    ], { stdio: ["ignore", "pipe", "ignore"] });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("SENDING") && resolve());
      child.once("exit", () => reject(new Error("the PUT client exited before sending")));
    });
    return { kill: () => child.kill("SIGKILL"), exited };
  }

  beforeAll(async () => {
    stack = await FaultStack.create();
    await Promise.all([stack.startPostgres(), stack.startStorage()]);
    setEnvForProcess(stack.env);
    const sql = createSql(stack.env.DATABASE_URL!, 1);
    await migrate(sql, { localBootstrap: true });
    await sql.end();
    [small, long, big] = await Promise.all([h264AacMp4({ seconds: 2 }), longRecordingWebm(20), noisyMp4()]);
    await stack.startApp(appSettings);
  });

  // Fresh people for every scenario: the free plan's ten videos a month would otherwise
  // refuse the later ones (402), which is not the fault under test.
  beforeEach(async () => {
    alice = await person("faults-alice");
    bob = await person("faults-bob");
  });

  async function person(label: string): Promise<TestUser> {
    const user = await createTestUser(label);
    users.push(user);
    return user;
  }

  afterAll(async () => {
    for (const r of recovery) {
      console.log(
        `recovery after a crash, with the defaults: restart → every one of the ${r.interrupted} interrupted videos moving again in ` +
          `${((r.startUp + r.redrive) / 1000).toFixed(1)} s (process start-up until register() ran: ${(r.startUp / 1000).toFixed(1)} s; ` +
          `then the start-up reconcile pass re-drove them and their runs started: ${(r.redrive / 1000).toFixed(1)} s)`,
      );
    }
    await closeDb();
    await stack?.stopAll();
    if (stack) {
      await rm(stack.paths.postgres, { recursive: true, force: true });
      await rm(stack.paths.storage, { recursive: true, force: true });
      console.log(`fault suite logs: ${stack.paths.logs}`);
    }
  });

  it("app SIGKILLed between completion's commit and its event: the restarted app sends it and the video reaches ready", async () => {
    const app = await restartApp({ FAULT_FREEZE_ON_SEND: "video/process" });
    const created = await createUpload(alice, small);
    await putSingle(created, small.bytes);
    const unanswered = stack.call("POST", `/api/uploads/${created.uploadId}/complete`, alice.token, {}).catch(() => null);
    await app.waitForLine(/^FROZEN process-/);
    await app.kill();
    expect(await unanswered).toBeNull();
    // The commit happened: queued, with the event in the outbox, never handed over.
    expect(await project(created.projectId)).toMatchObject({ status: "queued" });
    const [outbox] = await db()<{ sentAt: Date | null }[]>`select sent_at as "sentAt" from outbox where event_id = ${`process-${created.projectId}`}`;
    expect(outbox?.sentAt).toBeNull();

    await restartApp();
    await untilStatus(created.projectId, ["ready"]);
  });

  it("app SIGKILLed mid-transcode with videos queued behind it: on restart every one is moving again within 10 s and reaches ready", async () => {
    await restartApp({ PROCESSING_CONCURRENCY: "1" });
    const transcoding = await uploadAndComplete(alice, long);
    const queued = [await uploadAndComplete(bob, small), await uploadAndComplete(bob, small), await uploadAndComplete(alice, small)];
    await untilStage(transcoding.projectId, "transcode");
    await stack.app!.kill();
    const interrupted = [transcoding, ...queued].map((u) => u.projectId);
    for (const id of queued.map((u) => u.projectId)) expect((await project(id))?.status).toBe("queued");

    // The restart, with the defaults (PROCESSING_CONCURRENCY 4, a 30-minute stall bound).
    const restartedAt = new Date();
    const app = await stack.startApp(appSettings);
    const registeredAt = app.printedAt(/^REGISTERED/)!;
    // Moving again: a run of the new process started on it (its timeline says so).
    const started = await waitFor("every interrupted video to be moving again", async () => {
      const rows = await db()<{ id: string; at: Date }[]>`
        select e.project_id as id, min(e.created_at) as at from project_events e
        where e.project_id = any(${interrupted}) and e.kind = 'processing_started' and e.created_at > ${restartedAt}
        group by e.project_id`;
      return rows.length === interrupted.length ? rows : undefined;
    }, 60_000);
    const movingAt = Math.max(...started.map((r) => new Date(r.at).getTime()));
    recovery.push({ startUp: registeredAt - restartedAt.getTime(), redrive: movingAt - registeredAt, interrupted: interrupted.length });
    // The app's own part; the process start-up before it depends on the machine (and on
    // tsx compiling here, on Next compiling under `npm run dev`) and is printed with it.
    expect(movingAt - registeredAt).toBeLessThan(10_000);
    for (const id of interrupted) await untilStatus(id, ["ready"], 120_000);
  });

  it("app SIGKILLed while it holds a completion claim (storage hung, parts listed only in the complete body): the restarted app completes it", async () => {
    const created = await createUpload(bob, big);
    expect(created.method).toBe("multipart");
    const parts = await putParts(bob, created, big.bytes, [1, 2]);
    process.kill(-stack.storage.child.pid!, "SIGSTOP");
    try {
      const unanswered = stack.call("POST", `/api/uploads/${created.uploadId}/complete`, bob.token, { parts }).catch(() => null);
      await waitFor("the completion claim", async () => (await upload(created.uploadId))?.status === "completing");
      await stack.app!.kill();
      await unanswered;
    } finally {
      await stack.storage.kill(); // a stopped process takes SIGKILL as any other
    }
    await stack.startStorage();
    await restartApp();
    await untilStatus(created.projectId, ["ready"], 120_000);
    expect((await upload(created.uploadId))?.status).toBe("completed");
  });

  it("app SIGKILLed again during its own start-up recovery: the next start still carries every interrupted video to ready", async () => {
    await restartApp({ PROCESSING_CONCURRENCY: "1" });
    const interrupted = [await uploadAndComplete(alice, long), await uploadAndComplete(bob, small), await uploadAndComplete(bob, small)];
    await untilStage(interrupted[0]!.projectId, "transcode");
    await stack.app!.kill();
    const second = await stack.startApp(appSettings);
    await second.waitForLine(/^REGISTERED/);
    await sleep(300);
    await second.kill();
    await stack.startApp(appSettings);
    for (const created of interrupted) await untilStatus(created.projectId, ["ready"], 120_000);
  });

  it("a crowd: twenty uploads from ten people, the app SIGKILLed with some processing and the rest queued — all reach ready once", async () => {
    const people = [alice, bob, ...(await Promise.all(Array.from({ length: 8 }, (_, i) => person(`faults-crowd-${i}`))))];
    const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => uploadAndComplete(people[i % people.length]!, small)));
    await waitFor("a few of the crowd to be ready", async () => {
      const [row] = await db()<{ n: number }[]>`
        select count(*)::int as n from projects where id = any(${crowd.map((c) => c.projectId)}) and status = 'ready'`;
      return row!.n >= 3;
    });
    await stack.app!.kill();
    await stack.startApp(appSettings);
    for (const created of crowd) await untilStatus(created.projectId, ["ready"], 180_000);
  });

  it("Postgres SIGKILLed mid-run and back after 20 s: no acknowledged write is lost, the run it broke ends in a visible error, and Retry takes it to ready", async () => {
    // No automatic retries, so the outage is certain to fail the run in progress: what is
    // under test is that the failure is recorded once Postgres is back and that Retry works.
    await restartApp({ PROCESSING_RETRIES: "0" });
    const running = await uploadAndComplete(alice, long);
    await untilStage(running.projectId, "transcode");
    const justAnswered = [await uploadAndComplete(bob, small), await createUpload(bob, small)];
    await stack.postgres.kill();
    await sleep(20_000);
    await stack.startPostgres();

    for (const created of justAnswered) expect(await project(created.projectId)).toBeDefined();
    expect((await upload(justAnswered[0]!.uploadId))?.status).toBe("completed");
    await stack.call("DELETE", `/api/projects/${justAnswered[1]!.projectId}`, bob.token).then((r) => expect(r.status).toBeLessThan(300));
    acknowledged.deleted.add(justAnswered[1]!.projectId);

    // A run the outage failed ends in `error` once its failure handler can write again;
    // the person's Retry then takes it to ready.
    const brokenMidTranscode = await untilStatus(running.projectId, ["ready", "error"], 180_000);
    expect(brokenMidTranscode.status).toBe("error");
    for (const [user, projectId] of [[alice, running.projectId], [bob, justAnswered[0]!.projectId]] as const) {
      const ended = await untilStatus(projectId, ["ready", "error"], 180_000);
      if (ended.status === "error") {
        retriedAfterOutage.push(projectId);
        expect((await stack.call("POST", `/api/projects/${projectId}/retry`, user.token)).status).toBe(202);
      }
      await untilStatus(projectId, ["ready"], 120_000);
    }
    console.log(`after the Postgres outage, ${retriedAfterOutage.length} of 2 videos ended in error and reached ready through Retry`);
  });

  it("storage SIGKILLed mid-transcode and back after 20 s: the video ends ready (Retry if the outage outlasted the run's retries)", async () => {
    await restartApp();
    const running = await uploadAndComplete(bob, long);
    await untilStage(running.projectId, "transcode");
    await stack.storage.kill();
    await sleep(20_000);
    await stack.startStorage();
    const ended = await untilStatus(running.projectId, ["ready", "error"], 120_000);
    // An outage longer than the run's retries ends in a visible error, and Retry then works.
    if (ended.status === "error") expect((await stack.call("POST", `/api/projects/${running.projectId}/retry`, bob.token)).status).toBe(202);
    await untilStatus(running.projectId, ["ready"], 120_000);
  });

  it("storage SIGKILLed mid-PUT, the browser gone: the upload is expired by its deadline and nothing is left in storage", async () => {
    const created = await createUpload(alice, small);
    const client = await startCutOffPut(created, small.bytes.length);
    await stack.storage.kill();
    client.kill();
    await client.exited;
    await stack.startStorage();
    expiring.push(created);
  });

  it("browser SIGKILLed mid-PUT: completion answers 409 upload_incomplete, and the upload is expired by its deadline", async () => {
    const created = await createUpload(bob, small);
    const client = await startCutOffPut(created, small.bytes.length);
    client.kill();
    await client.exited;
    const answer = await complete(bob, created);
    expect(answer).toMatchObject({ status: 409, body: { error: { code: "upload_incomplete" } } });
    expiring.push(created);
  });

  it("a multipart upload abandoned after one part is expired by its deadline and aborted in storage", async () => {
    const created = await createUpload(alice, big);
    await putParts(alice, created, big.bytes, [1]);
    expiring.push(created);
  });

  it("deleting a project during its multipart upload aborts the upload in storage", async () => {
    const created = await createUpload(bob, big);
    await putParts(bob, created, big.bytes, [1]);
    expect((await listOpenMultipartUploads(created.key))?.length).toBe(1);
    const deleted = await stack.call("DELETE", `/api/projects/${created.projectId}`, bob.token);
    expect(deleted.status).toBeLessThan(300);
    acknowledged.deleted.add(created.projectId);
    expect(await listOpenMultipartUploads(created.key)).toEqual([]);
  });

  it("deleting a project mid-transcode stops its run and leaves none of its objects", async () => {
    const running = await uploadAndComplete(alice, long);
    await untilStage(running.projectId, "transcode");
    const deleted = await stack.call("DELETE", `/api/projects/${running.projectId}`, alice.token);
    expect(deleted.status).toBeLessThan(300);
    acknowledged.deleted.add(running.projectId);
  });

  it("duplicate completions, concurrent and late, start one run and count usage once", async () => {
    const created = await createUpload(bob, small);
    await putSingle(created, small.bytes);
    const answers = await Promise.all(Array.from({ length: 5 }, () => complete(bob, created)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body.status === "queued")).toHaveLength(1);
    await untilStatus(created.projectId, ["ready"]);
    expect((await complete(bob, created)).body).toMatchObject({ status: "alreadyComplete" });
  });

  it("after the reconciler's bounds, nothing waits, no acknowledged write is lost, usage is counted once per ready video, and storage holds no orphan", async () => {
    // Everything the scenarios left behind, with the reconciler's clock past the upload
    // expiry and the stall bound, and no grace for orphans (nothing is in flight now).
    const pass = () =>
      stack.call("POST", "/__faults/reconcile", alice.token, { advanceMs: (UPLOAD_EXPIRY_HOURS + 1) * 3_600_000, orphanGraceMs: 0 });
    const first = await pass();
    expect(first.status).toBe(200);
    const second = await pass();
    console.log(`final reconcile passes: ${JSON.stringify(first.body)} then ${JSON.stringify(second.body)}`);

    const userIds = users.map((u) => u.id);
    const waiting = await db()<{ id: string; status: string }[]>`
      select id, status from projects where user_id = any(${userIds}) and status <> all(${TERMINAL_PROJECT})`;
    expect(waiting).toEqual([]);
    const openUploads = await db()<{ id: string; status: string }[]>`
      select id, status from uploads where user_id = any(${userIds}) and status <> all(${TERMINAL_UPLOAD})`;
    expect(openUploads).toEqual([]);

    // No acknowledged write lost: every project answered 201 is there unless deleted, and
    // every completion answered `queued` reached ready.
    const present = new Set(
      (await db()<{ id: string }[]>`select id from projects where id = any(${[...acknowledged.projects]})`).map((r) => r.id),
    );
    for (const id of acknowledged.projects) expect(present.has(id) || acknowledged.deleted.has(id)).toBe(true);
    for (const id of acknowledged.queued) {
      if (!acknowledged.deleted.has(id)) expect({ id, status: (await project(id))?.status }).toEqual({ id, status: "ready" });
    }
    expect(expiring).toHaveLength(3);
    for (const created of expiring) {
      expect(await upload(created.uploadId)).toMatchObject({ status: "expired" });
      expect((await project(created.projectId))?.status).toBe("expired");
    }

    // Usage exactly once per ready video, never for one that is not ready.
    const usage = await db()<{ id: string; status: string; counted: number }[]>`
      select p.id, p.status, (select count(*)::int from usage_events u where u.project_id = p.id) as counted
      from projects p where p.user_id = any(${userIds})`;
    for (const row of usage) expect({ id: row.id, counted: row.counted }).toEqual({ id: row.id, counted: row.status === "ready" ? 1 : 0 });
    const usageOfDeleted = await db()<{ n: number }[]>`
      select count(*)::int as n from usage_events where project_id = any(${[...acknowledged.deleted]})`;
    expect(usageOfDeleted[0]!.n).toBe(0);

    // Storage: every object belongs to a row, and no multipart upload is open.
    const objects = await listObjects("");
    const keys = objects.map((o) => o.key);
    const known = new Set(
      (
        await db()<{ key: string }[]>`
          select key from uploads where key = any(${keys}) and status = 'completed'
          union select r2_key from projects where r2_key = any(${keys})
          union select playback_key from projects where playback_key = any(${keys})
          union select thumbnail_key from projects where thumbnail_key = any(${keys})`
      ).map((r) => r.key),
    );
    const liveProjects = new Set((await db()<{ id: string }[]>`select id::text from projects`).map((r) => r.id));
    const [shared] = await db()<{ table: boolean }[]>`select to_regclass('public.shared_outputs') is not null as "table"`;
    const sharedTable = shared?.table ?? false;
    const sharedIds = new Set(sharedTable ? (await db()<{ id: string }[]>`select id from shared_outputs`).map((r) => r.id) : []);
    const orphans = keys.filter((key) => {
      if (known.has(key)) return false;
      const [top, second, projectId] = key.split("/");
      if (top === "projects") return !liveProjects.has(projectId!);
      if (top === "shared") return !sharedIds.has(second!);
      return true;
    });
    expect(orphans).toEqual([]);
    expect(await listOpenMultipartUploads("")).toEqual([]);
    console.log(
      `final state: ${usage.length} projects (${usage.filter((r) => r.status === "ready").length} ready), ${objects.length} objects, no orphan, no open multipart upload`,
    );
  });
});
