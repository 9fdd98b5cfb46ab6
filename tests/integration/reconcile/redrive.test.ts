import { env } from "@/lib/env";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { embeddedRunHeld, sendEvent, sendEvents } from "@/lib/jobs/send-event";
import { completeFinishedUploads } from "@/lib/reconcile/complete-finished-uploads";
import { expireAbandonedUploads, UPLOAD_EXPIRED_MESSAGE } from "@/lib/reconcile/expire-abandoned-uploads";
import { INTERRUPTED_MESSAGE, recoverStalledProcessing } from "@/lib/reconcile/recover-stalled-processing";
import { NEVER_STARTED_MESSAGE, redriveQueuedProjects } from "@/lib/reconcile/redrive-queued-projects";
import { redriveStalledImports } from "@/lib/reconcile/redrive-stalled-imports";
import type { ReconcileDeps } from "@/lib/reconcile/types";
import { listOpenMultipartUploads } from "@/lib/storage/multipart";
import { headObject, putObject } from "@/lib/storage/objects";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { h264AacMp4, type TestMedia } from "../../support/media";
import { removeJobRunnerAfter, runJobsIn } from "../../support/job-runner";
import { recordingReconcileDeps, testReconcileSettings } from "../../support/reconcile";
import { createTestUser, testUser, type TestUser } from "../../support/users";
import { MiB, mp4Bytes, putToStorage, routes, setSmallMultipartThresholds, withSmallMultipartThresholds } from "../uploads/upload-client";

// Every state that waits on something is revisited: `queued` with no run, a `completing`
// claim whose holder died, `processing` without progress, a link import without progress,
// and an upload past its deadline whatever storage holds. Re-drives carry new event ids,
// because the runner (like Inngest) drops an id it has seen.

const settings = testReconcileSettings({ idleUploadMs: 60_000, outboxResendAfterMs: 60_000, stallMs: 30 * 60_000, waitingMs: 30 * 60_000 });
const recordingDeps = () => recordingReconcileDeps();

// A restart long ago, and work last touched before it: only this file's rows are dated so.
const restartedAt = new Date("2021-01-01T00:00:00Z");
const beforeRestart = new Date("2020-06-01T00:00:00Z");

const realDeps: ReconcileDeps = { now: () => new Date(), send: sendEvent, sendEvents, runHeld: embeddedRunHeld };

async function projectRow(projectId: string) {
  const [row] = await db()<{ status: string; errorCode: string | null; errorMessage: string | null; stallRetries: number; redrives: number }[]>`
    select status, error_code as "errorCode", error_message as "errorMessage", stall_retries as "stallRetries", redrives
    from projects where id = ${projectId}`;
  return row!;
}

async function startUpload(user: TestUser, media: TestMedia) {
  const { status, body } = await routes.create(user, { filename: media.filename, size: media.bytes.length, contentType: media.contentType });
  expect(status).toBe(201);
  return body as { uploadId: string; projectId: string; key: string; url: string; headers: Record<string, string> };
}

/** A verified upload whose `video/process` was handed to a runner that then vanished (a crashed process). */
async function queuedWithLostRun(user: TestUser, media: TestMedia, waitedMinutes: number) {
  const upload = await startUpload(user, media);
  expect((await putToStorage(upload.url, media.bytes, upload.headers)).status).toBe(200);
  await completeUpload({ userId: user.id, uploadId: upload.uploadId }, { send: async () => {}, now: () => new Date() });
  await db()`update projects set last_progress_at = now() - make_interval(mins => ${waitedMinutes}) where id = ${upload.projectId}`;
  return upload;
}

describe("re-driving projects whose run is gone", () => {
  const user = testUser("redrive");
  let video: TestMedia;

  beforeAll(async () => {
    video = await h264AacMp4({ seconds: 2 });
  });
  removeJobRunnerAfter("each");

  it("sends a queued project no run took again under a new event id, which the runner does not drop, and the video reaches ready", async () => {
    const runner = runJobsIn();
    const upload = await queuedWithLostRun(user, video, 45);
    // The runner saw the first id already (its run ended without a trace): resending it is dropped.
    const original = { name: "video/process", id: `process-${upload.projectId}`, data: { projectId: upload.projectId, userId: user.id } };
    runner.send([original]);
    await runner.idle();
    await db()`update projects set status = 'queued', processing_run_id = null, last_progress_at = now() - interval '45 minutes'
               where id = ${upload.projectId}`;
    expect(runner.send([original]).runs).toEqual([]);

    const result = await redriveQueuedProjects(db(), settings, realDeps);
    expect(result.redriven).toBeGreaterThanOrEqual(1);
    await runner.idle();
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "ready", redrives: 1, stallRetries: 1 });
    const [outbox] = await db()<{ sentAt: Date | null }[]>`
      select sent_at as "sentAt" from outbox where event_id = ${`process-${upload.projectId}-redrive-1`}`;
    expect(outbox?.sentAt).not.toBeNull();
  });

  it("leaves a queued project alone while it waits within the bound or while this process's runner holds its run", async () => {
    const recent = await queuedWithLostRun(user, video, 5);
    const deps = recordingDeps();
    await redriveQueuedProjects(db(), settings, deps);
    expect(deps.sent.filter((e) => e.data.projectId === recent.projectId)).toEqual([]);

    const held = await queuedWithLostRun(user, video, 45);
    const holding = { ...recordingDeps(), runHeld: (_name: string, data: Record<string, unknown>) => data.projectId === held.projectId };
    await redriveQueuedProjects(db(), settings, holding);
    expect(holding.sent.filter((e) => e.data.projectId === held.projectId)).toEqual([]);
    expect(await projectRow(held.projectId)).toMatchObject({ status: "queued", redrives: 0 });
  });

  it("fails a queued project visibly when two re-drives did not get it started", async () => {
    const upload = await queuedWithLostRun(user, video, 45);
    for (const n of [1, 2]) {
      const deps = recordingDeps();
      await redriveQueuedProjects(db(), settings, deps);
      expect(deps.sent.filter((e) => e.data.projectId === upload.projectId).map((e) => e.id)).toEqual([
        `process-${upload.projectId}-redrive-${n}`,
      ]);
      await db()`update projects set last_progress_at = now() - interval '45 minutes' where id = ${upload.projectId}`;
    }
    await redriveQueuedProjects(db(), settings, recordingDeps());
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "error", errorCode: "processing_not_started", errorMessage: NEVER_STARTED_MESSAGE });
  });

  it("gives a project a fresh restart budget when the person presses Retry", async () => {
    const upload = await queuedWithLostRun(user, video, 45);
    await db()`update projects set status = 'error', stall_retries = 2 where id = ${upload.projectId}`;
    await db()`update projects set status = 'queued' where id = ${upload.projectId}`;
    expect(await projectRow(upload.projectId)).toMatchObject({ stallRetries: 0 });
  });

  it("after a restart, re-drives at once what the previous process had under way and leaves this process's runs alone", async () => {
    const runner = runJobsIn();
    // The previous process's work, last touched before the restart (dated back, so that the
    // other test files' projects in this shared database are not the previous process's).
    const queued = await queuedWithLostRun(user, video, 0);
    const processing = await queuedWithLostRun(user, video, 0);
    await db()`update projects set status = 'processing', processing_run_id = 'run-of-the-dead-process', stage = 'transcode'
               where id = ${processing.projectId}`;
    await db()`update projects set last_progress_at = ${beforeRestart} where id = any(${[queued.projectId, processing.projectId]}::uuid[])`;
    // Something this process started after it came up: not the previous process's.
    const fresh = await queuedWithLostRun(user, video, 0);

    const restarted = { ...settings, interruptedBefore: restartedAt };
    expect((await redriveQueuedProjects(db(), restarted, realDeps)).redriven).toBeGreaterThanOrEqual(1);
    expect((await recoverStalledProcessing(db(), restarted, realDeps)).retried).toBeGreaterThanOrEqual(1);
    await runner.idle();
    expect(await projectRow(queued.projectId)).toMatchObject({ status: "ready", redrives: 1 });
    expect(await projectRow(processing.projectId)).toMatchObject({ status: "ready", redrives: 1 });
    expect(await projectRow(fresh.projectId)).toMatchObject({ status: "queued", redrives: 0 });
  });

  it("fails a run interrupted by three restarts in a row with a message that says so", async () => {
    const upload = await queuedWithLostRun(user, video, 0);
    await db()`update projects set status = 'processing', processing_run_id = 'dead', stall_retries = 3, last_progress_at = ${beforeRestart}
               where id = ${upload.projectId}`;
    await recoverStalledProcessing(db(), { ...settings, interruptedBefore: restartedAt }, recordingDeps());
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "error", errorCode: "processing_stalled", errorMessage: INTERRUPTED_MESSAGE });
  });

  it("starts a link import again whose download lost its run, with a new event id", async () => {
    const projectId = randomUUID();
    await db()`insert into projects (id, user_id, title, status, source_type, source_url, last_progress_at)
               values (${projectId}, ${user.id}, 'a link', 'uploading', 'url', 'https://videos.example.com/a.mp4', now() - interval '45 minutes')`;
    const deps = recordingDeps();
    await redriveStalledImports(db(), settings, deps);
    expect(deps.sent.filter((e) => e.data.projectId === projectId)).toEqual([
      { name: "video/import", id: `import-${projectId}-redrive-1`, data: { projectId, userId: user.id, url: "https://videos.example.com/a.mp4" } },
    ]);
    expect(await projectRow(projectId)).toMatchObject({ status: "uploading", redrives: 1 });
  });
});

describe("completion claims and uploads past their deadline", () => {
  const user = testUser("claims");
  withSmallMultipartThresholds();

  async function multipartWithAllPartsInStorage() {
    const data = mp4Bytes(5 * MiB + 1000);
    const created = await routes.create(user, { filename: "talk.mp4", size: data.length, contentType: "video/mp4" });
    expect(created.status).toBe(201);
    const upload = created.body as { uploadId: string; projectId: string; key: string };
    const signed = await routes.signParts(user, upload.uploadId, [1, 2]);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of signed.body.parts as { partNumber: number; url: string }[]) {
      const put = await putToStorage(part.url, data.subarray((part.partNumber - 1) * 5 * MiB, part.partNumber * 5 * MiB));
      parts.push({ partNumber: part.partNumber, etag: put.headers.get("etag")! });
    }
    return { ...upload, parts };
  }

  it("keeps the parts the browser lists in its completion body in the upload's manifest", async () => {
    const upload = await multipartWithAllPartsInStorage();
    const completed = await routes.complete(user, upload.uploadId, { parts: upload.parts });
    expect(completed.status).toBe(200);
    const kept = await db()<{ partNumber: number; etag: string; size: number }[]>`
      select part_number as "partNumber", etag, size from upload_parts where upload_id = ${upload.uploadId} order by part_number`;
    expect(kept).toEqual([
      { partNumber: 1, etag: upload.parts[0]!.etag, size: 5 * MiB },
      { partNumber: 2, etag: upload.parts[1]!.etag, size: 1000 },
    ]);
  });

  it("takes over a claim whose holder died and completes the upload from its manifest", async () => {
    const upload = await multipartWithAllPartsInStorage();
    const recorded = await routes.recordParts(user, upload.uploadId, {
      parts: upload.parts.map((p) => ({ ...p, size: p.partNumber === 1 ? 5 * MiB : 1000 })),
    });
    expect(recorded.status).toBe(200);
    // The process that claimed the completion died before assembling.
    await db()`update uploads set status = 'completing', claimed_at = now() - interval '1 hour' where id = ${upload.uploadId}`;

    const deps = recordingDeps();
    const result = await completeFinishedUploads(db(), settings, deps);
    expect(result.claimsRecovered).toBeGreaterThanOrEqual(1);
    const [row] = await db()<{ status: string }[]>`select status from uploads where id = ${upload.uploadId}`;
    expect(row?.status).toBe("completed");
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "queued" });
    expect(deps.sent.filter((e) => e.data.projectId === upload.projectId).map((e) => e.id)).toEqual([`process-${upload.projectId}`]);
  });

  it("ends an abandoned upload by the reconcile run that comes last within UPLOAD_EXPIRY_HOURS of its creation", async () => {
    const video = await h264AacMp4({ seconds: 1 });
    const createdAt = Date.now();
    const upload = await startUpload(user, video);
    // The latest a scheduled run can come and still be within the expiry: the sweep at the
    // expiry itself (RECONCILE_CRON's runs are at most one gap apart).
    const atExpiry = { ...recordingDeps(), now: () => new Date(createdAt + env().UPLOAD_EXPIRY_HOURS * 3_600_000) };
    await expireAbandonedUploads(db(), settings, atExpiry);
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired", errorMessage: UPLOAD_EXPIRED_MESSAGE });
  });

  it("expires a single upload whose PUT was cut off mid-body, removing the partial object", async () => {
    const video = await h264AacMp4({ seconds: 1 });
    const upload = await startUpload(user, video);
    await putObject(upload.key, video.bytes.subarray(0, Math.floor(video.bytes.length / 2)), { contentType: "video/mp4" });
    const refused = await routes.complete(user, upload.uploadId, {});
    expect(refused.status).toBe(409);
    await db()`update uploads set expires_at = now() - interval '1 minute' where id = ${upload.uploadId}`;

    const result = await expireAbandonedUploads(db(), settings, recordingDeps());
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired", errorMessage: UPLOAD_EXPIRED_MESSAGE });
    expect(await headObject(upload.key)).toBeNull();
  });

  it("completes at its deadline an upload whose bytes are all in storage instead of expiring it", async () => {
    const video = await h264AacMp4({ seconds: 1 });
    const upload = await startUpload(user, video);
    expect((await putToStorage(upload.url, video.bytes, upload.headers)).status).toBe(200);
    await db()`update uploads set expires_at = now() - interval '1 minute' where id = ${upload.uploadId}`;
    const deps = recordingDeps();
    const result = await expireAbandonedUploads(db(), settings, deps);
    expect(result.completed).toBeGreaterThanOrEqual(1);
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "queued" });
  });

  it("releases a dead claimer's claim on an upload whose parts are not all there, and expiry then aborts it in storage", async () => {
    const data = mp4Bytes(5 * MiB + 1000);
    const created = await routes.create(user, { filename: "half.mp4", size: data.length, contentType: "video/mp4" });
    const upload = created.body as { uploadId: string; projectId: string; key: string };
    const [row] = await db()<{ storageUploadId: string }[]>`select storage_upload_id as "storageUploadId" from uploads where id = ${upload.uploadId}`;
    await db()`update uploads set status = 'completing', claimed_at = now() - interval '1 hour' where id = ${upload.uploadId}`;

    await completeFinishedUploads(db(), settings, recordingDeps());
    const [released] = await db()<{ status: string }[]>`select status from uploads where id = ${upload.uploadId}`;
    expect(released?.status).toBe("uploading");

    await db()`update uploads set expires_at = now() - interval '1 minute' where id = ${upload.uploadId}`;
    await expireAbandonedUploads(db(), settings, recordingDeps());
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired" });
    const open = await listOpenMultipartUploads(upload.key);
    expect(open?.map((u) => u.storageUploadId)).not.toContain(row!.storageUploadId);
  });
});

describe("deleting a project during its upload", () => {
  removeJobRunnerAfter("each");

  it("aborts the open multipart upload in storage", async () => {
    const restore = setSmallMultipartThresholds();
    try {
      const user = await createTestUser("delete-during-upload");
      const data = mp4Bytes(5 * MiB + 1000);
      const created = await routes.create(user, { filename: "gone.mp4", size: data.length, contentType: "video/mp4" });
      const upload = created.body as { uploadId: string; projectId: string; key: string };
      const signed = await routes.signParts(user, upload.uploadId, [1]);
      await putToStorage(signed.body.parts[0].url, data.subarray(0, 5 * MiB));
      expect((await listOpenMultipartUploads(upload.key))?.length).toBe(1);

      const { deleteProjectOrThrow } = await import("@/lib/projects/delete-project");
      const runner = runJobsIn();
      await deleteProjectOrThrow(user.claims, upload.projectId);
      await runner.idle();
      expect(await listOpenMultipartUploads(upload.key)).toEqual([]);
    } finally {
      restore();
    }
  });
});

describe("the orphan sweep", () => {
  it("aborts, after the grace period, an open multipart upload that no upload row knows", async () => {
    const { cleanOrphans } = await import("@/lib/reconcile/clean-orphans");
    const { createMultipartUpload } = await import("@/lib/storage/multipart");
    const key = `uploads/${randomUUID()}/${randomUUID()}/left-open.mp4`;
    const id = await createMultipartUpload(key, "video/mp4");
    const deps = { ...recordingDeps(), now: () => new Date(Date.now() + 2 * 3_600_000) };
    const report = await cleanOrphans(db(), settings, deps);
    expect(report.multipartUploads.listingSupported).toBe(true);
    expect(report.multipartUploads.removed).toBeGreaterThanOrEqual(1);
    expect((await listOpenMultipartUploads(key))?.map((u) => u.storageUploadId)).not.toContain(id);
  });

  it("removes, after the grace period, outputs of a project that no longer exists and keeps a live project's", async () => {
    const { cleanOrphans } = await import("@/lib/reconcile/clean-orphans");
    const { outputKeys } = await import("@/lib/storage/keys");
    const user = await createTestUser("orphan-outputs");
    const goneKey = outputKeys.playback(user.id, randomUUID());
    const liveProject = randomUUID();
    await db()`insert into projects (id, user_id, title, source_type) values (${liveProject}, ${user.id}, 'live', 'upload')`;
    const liveKey = outputKeys.thumbnail(user.id, liveProject);
    await putObject(goneKey, Buffer.from("web mp4 of a deleted project"), { contentType: "video/mp4" });
    await putObject(liveKey, Buffer.from("thumbnail"), { contentType: "image/jpeg" });

    await cleanOrphans(db(), settings, { ...recordingDeps(), now: () => new Date(Date.now() + 2 * 3_600_000) });
    expect(await headObject(goneKey)).toBeNull();
    expect(await headObject(liveKey)).not.toBeNull();
  });
});
