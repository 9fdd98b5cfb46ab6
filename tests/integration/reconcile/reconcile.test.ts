import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createUpload } from "@/app/api/uploads/route";
import { POST as completeUploadRoute } from "@/app/api/uploads/[uploadId]/complete/route";
import { db } from "@/lib/db/client";
import { cleanOrphans } from "@/lib/reconcile/clean-orphans";
import { completeFinishedUploads } from "@/lib/reconcile/complete-finished-uploads";
import { expireAbandonedUploads, UPLOAD_EXPIRED_MESSAGE } from "@/lib/reconcile/expire-abandoned-uploads";
import { recoverStalledProcessing, STALLED_MESSAGE } from "@/lib/reconcile/recover-stalled-processing";
import { resendUnsentEvents } from "@/lib/reconcile/resend-unsent-events";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { createMultipartUpload, listOpenMultipartUploads } from "@/lib/storage/multipart";
import { headObject, putObject } from "@/lib/storage/objects";
import { h264AacMp4, type TestMedia } from "../../support/media";
import { recordingReconcileDeps, testReconcileSettings } from "../../support/reconcile";
import { callRoute } from "../../support/routes";
import { appJobRunner, removeJobRunnerAfter, runJobsIn } from "../../support/job-runner";
import { createTestUser, testUser, type TestUser } from "../../support/users";

// Each repair is shown by producing the fault it exists for, then running the reconciler
// with its clock and event sender passed in.

const settings = testReconcileSettings();
const recordingDeps = (now = new Date()) => recordingReconcileDeps(now);

async function projectRow(projectId: string) {
  const [row] = await db()<{ status: string; errorCode: string | null; errorMessage: string | null; stallRetries: number }[]>`
    select status, error_code as "errorCode", error_message as "errorMessage", stall_retries as "stallRetries"
    from projects where id = ${projectId}`;
  return row!;
}

async function timeline(projectId: string) {
  return db()<{ kind: string; message: string }[]>`select kind, message from project_events where project_id = ${projectId} order by id`;
}

async function startUpload(user: TestUser, media: TestMedia) {
  const { status, body } = await callRoute(createUpload, {
    body: { filename: media.filename, size: media.bytes.length, contentType: media.contentType },
    headers: user.auth,
  });
  expect(status).toBe(201);
  return body as { uploadId: string; projectId: string; key: string; url: string; headers: Record<string, string> };
}

describe("the reconciler", () => {
  const user = testUser("reconcile");
  let video: TestMedia;

  beforeAll(async () => {
    video = await h264AacMp4({ seconds: 2 });
  });
  removeJobRunnerAfter("each");

  it("completes an upload whose browser stopped between the PUT and the completion call", async () => {
    const upload = await startUpload(user, video);
    const put = await fetch(upload.url, { method: "PUT", body: new Uint8Array(video.bytes), headers: upload.headers });
    expect(put.status).toBe(200);
    // The fault: the tab closes here, and /complete is never called.
    const deps = recordingDeps();
    const result = await completeFinishedUploads(db(), settings, deps);
    expect(result.completed).toBeGreaterThanOrEqual(1);
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "queued" });
    expect(deps.sent.filter((e) => e.data.projectId === upload.projectId)).toEqual([
      { name: "video/process", id: `process-${upload.projectId}`, data: { projectId: upload.projectId, userId: user.id } },
    ]);
    expect((await timeline(upload.projectId)).map((e) => e.kind)).toEqual(expect.arrayContaining(["upload_completed", "reconciled"]));
    // A second pass finds nothing more to do for it.
    const again = recordingDeps();
    await completeFinishedUploads(db(), settings, again);
    expect(again.sent.filter((e) => e.data.projectId === upload.projectId)).toEqual([]);
  });

  it("leaves an upload alone while its object is missing or short", async () => {
    const upload = await startUpload(user, video);
    await putObject(upload.key, video.bytes.subarray(0, 100), { contentType: "video/mp4" });
    await completeFinishedUploads(db(), settings, recordingDeps());
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "uploading" });
  });

  it("expires an abandoned upload past its deadline and says so on the project", async () => {
    const upload = await startUpload(user, video);
    await db()`update uploads set expires_at = now() - interval '1 minute' where id = ${upload.uploadId}`;
    const result = await expireAbandonedUploads(db(), settings, recordingDeps());
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired", errorCode: "upload_expired", errorMessage: UPLOAD_EXPIRED_MESSAGE });
    const [row] = await db()<{ status: string }[]>`select status from uploads where id = ${upload.uploadId}`;
    expect(row?.status).toBe("expired");
    expect((await timeline(upload.projectId)).at(-1)).toMatchObject({ kind: "upload_expired", message: UPLOAD_EXPIRED_MESSAGE });
  });

  it("aborts an expired multipart upload in storage before marking it expired", async () => {
    const big = { ...video, bytes: Buffer.alloc(65 * 1024 * 1024) };
    const upload = await startUpload(user, big);
    const [row] = await db()<{ method: string }[]>`select method from uploads where id = ${upload.uploadId}`;
    expect(row?.method).toBe("multipart");
    await db()`update uploads set expires_at = now() - interval '1 minute' where id = ${upload.uploadId}`;
    await expireAbandonedUploads(db(), settings, recordingDeps());
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired" });
  });

  it("expires an upload whose row names another person's object, and leaves that object in storage", async () => {
    const victim = await createTestUser("reconcile-victim");
    const theirs = `uploads/${victim.id}/${randomUUID()}/their-talk.mp4`;
    await putObject(theirs, Buffer.from("someone else's video"), { contentType: "video/mp4" });
    const upload = await startUpload(user, video);
    await db()`update uploads set key = ${theirs}, expires_at = now() - interval '1 minute' where id = ${upload.uploadId}`;

    await expireAbandonedUploads(db(), settings, recordingDeps());

    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired" });
    expect(await headObject(theirs)).not.toBeNull();
  });

  it("expires a multipart upload whose row names another person's open upload, and leaves theirs open", async () => {
    const victim = await createTestUser("reconcile-victim");
    const theirs = `uploads/${victim.id}/${randomUUID()}/their-talk.mp4`;
    const theirUploadId = await createMultipartUpload(theirs, "video/mp4");
    const upload = await startUpload(user, { ...video, bytes: Buffer.alloc(65 * 1024 * 1024) });
    await db()`
      update uploads set key = ${theirs}, storage_upload_id = ${theirUploadId}, expires_at = now() - interval '1 minute'
      where id = ${upload.uploadId} and method = 'multipart'`;

    await expireAbandonedUploads(db(), settings, recordingDeps());

    expect(await projectRow(upload.projectId)).toMatchObject({ status: "expired" });
    const stillOpen = await listOpenMultipartUploads(theirs);
    expect(stillOpen?.map((u) => u.storageUploadId)).toContain(theirUploadId);
  });

  it("resends, with the same event id, an event whose send failed after the commit", async () => {
    const upload = await startUpload(user, video);
    await fetch(upload.url, { method: "PUT", body: new Uint8Array(video.bytes), headers: upload.headers });
    // The fault: the job runner is unreachable when the completion sends its event.
    const failing = { send: async () => Promise.reject(new Error("job runner unreachable")), now: () => new Date() };
    await expect(completeUpload({ userId: user.id, uploadId: upload.uploadId }, failing)).resolves.toMatchObject({ status: "queued" });
    const [unsent] = await db()<{ sentAt: Date | null; attempts: number }[]>`
      select sent_at as "sentAt", attempts from outbox where event_id = ${`process-${upload.projectId}`}`;
    expect(unsent).toMatchObject({ sentAt: null, attempts: 1 });

    const deps = recordingDeps();
    const result = await resendUnsentEvents(db(), settings, deps);
    expect(result.resent).toBeGreaterThanOrEqual(1);
    expect(deps.sent.filter((e) => e.data.projectId === upload.projectId).map((e) => e.id)).toEqual([`process-${upload.projectId}`]);
    const [sent] = await db()<{ sentAt: Date | null }[]>`select sent_at as "sentAt" from outbox where event_id = ${`process-${upload.projectId}`}`;
    expect(sent?.sentAt).not.toBeNull();
  });

  it("restarts a stalled run once — the new run takes the video to ready — and fails a second stall with a clear message", async () => {
    const runner = runJobsIn();
    const upload = await startUpload(user, video);
    await fetch(upload.url, { method: "PUT", body: new Uint8Array(video.bytes), headers: upload.headers });
    // The fault: the worker that claimed the project died mid-transcode, before the event ran here.
    await completeUpload({ userId: user.id, uploadId: upload.uploadId }, { send: async () => {}, now: () => new Date() });
    await db()`update projects set status = 'processing', processing_run_id = 'a-run-that-died', stage = 'transcode',
                 last_progress_at = now() - interval '2 hours' where id = ${upload.projectId}`;

    const { sendEvent, sendEvents, embeddedRunHeld } = await import("@/lib/jobs/send-event");
    const first = await recoverStalledProcessing(db(), settings, { now: () => new Date(), send: sendEvent, sendEvents, runHeld: embeddedRunHeld });
    expect(first.retried).toBeGreaterThanOrEqual(1);
    await runner.idle();
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "ready", stallRetries: 1 });
    expect((await timeline(upload.projectId)).map((e) => e.kind)).toContain("reconciled");

    // It stalls again later: no second automatic retry.
    await db()`update projects set status = 'processing', processing_run_id = 'another-dead-run',
                 last_progress_at = now() - interval '2 hours' where id = ${upload.projectId}`;
    const second = await recoverStalledProcessing(db(), settings, recordingDeps());
    expect(second.failed).toBeGreaterThanOrEqual(1);
    expect(await projectRow(upload.projectId)).toMatchObject({ status: "error", errorCode: "processing_stalled", errorMessage: STALLED_MESSAGE });
  });

  it("reports source objects no row knows and removes them only after the grace period", async () => {
    const orphanKey = `uploads/${user.id}/${randomUUID()}/left-behind.mp4`;
    await putObject(orphanKey, Buffer.from("orphaned bytes"), { contentType: "video/mp4" });
    const kept = await startUpload(user, video);
    await fetch(kept.url, { method: "PUT", body: new Uint8Array(video.bytes), headers: kept.headers });

    const withinGrace = await cleanOrphans(db(), settings, recordingDeps());
    expect(withinGrace.objects.found).toBeGreaterThanOrEqual(1);
    expect(await headObject(orphanKey)).not.toBeNull();

    const later = await cleanOrphans(db(), settings, recordingDeps(new Date(Date.now() + 2 * 3_600_000)));
    expect(later.objects.removed).toBeGreaterThanOrEqual(1);
    expect(await headObject(orphanKey)).toBeNull();
    expect(await headObject(kept.key)).not.toBeNull();
    // The local storage lists open multipart uploads, as R2 and S3 do.
    expect(later.multipartUploads.listingSupported).toBe(true);
  });

  it("is safe to run while a client completes the same upload", async () => {
    const upload = await startUpload(user, video);
    await fetch(upload.url, { method: "PUT", body: new Uint8Array(video.bytes), headers: upload.headers });
    const deps = recordingDeps();
    const [client] = await Promise.all([
      callRoute(completeUploadRoute, { params: { uploadId: upload.uploadId }, body: {}, headers: user.auth }),
      completeFinishedUploads(db(), settings, deps),
    ]);
    expect(client.status).toBe(200);
    const events = await db()<{ n: number }[]>`select count(*)::int as n from outbox where project_id = ${upload.projectId}`;
    expect(events[0]!.n).toBe(1);
  });
});

describe("the reconcile function", () => {
  it("runs all its steps when its cron fires in embedded mode and returns the counts", async () => {
    const runner = appJobRunner();
    const outcome = await runner.trigger("reconcile");
    expect(outcome.status).toBe("completed");
    expect((outcome as { output: unknown }).output).toMatchObject({
      uploadsCompleted: expect.any(Number),
      uploadsExpired: expect.any(Number),
      eventsResent: expect.any(Number),
      stalledRetried: expect.any(Number),
      stalledFailed: expect.any(Number),
      orphanObjectsFound: expect.any(Number),
      multipartListingSupported: true,
    });
    await runner.idle();
  });
});
