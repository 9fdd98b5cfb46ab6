import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { eventIds } from "@/lib/jobs/events";
import { POST as registerEndpointRoute } from "@/app/api/webhooks/endpoints/route";
import { GET as listDeliveriesRoute } from "@/app/api/webhooks/endpoints/[id]/deliveries/route";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { embeddedRunner, sendEvent, setEmbeddedRunner } from "@/lib/jobs/send-event";
import { finalizeProject } from "@/lib/processing/finalize-project";
import { ProcessingError } from "@/lib/processing/processing-error";
import { recordUnexpectedFailure } from "@/lib/processing/record-failure";
import { recordingFailures } from "@/lib/processing/run-state";
import { failProject, transitionProject } from "@/lib/projects/transitions";
import { attemptDelivery } from "@/lib/webhooks/attempt-delivery";
import { recordStatusDeliveries } from "@/lib/webhooks/record-status-deliveries";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from "@/lib/webhooks/retry-schedule";
import { callRoute } from "../../support/routes";
import { runJobsIn } from "../../support/job-runner";
import { createTestUser, testUser, type TestUser } from "../../support/users";
import { startReceiver, verifiesAsStandardWebhook, type Receiver } from "./receiver";

const RETRY_BASE_SECONDS = 0.002; // the schedule's shape, in milliseconds instead of hours

async function registerEndpoint(user: TestUser, url: string): Promise<{ id: string; secret: string }> {
  const { status, body } = await callRoute(registerEndpointRoute, { method: "POST", body: { url }, headers: user.auth });
  expect(status).toBe(201);
  return { id: body.endpoint.id, secret: body.secret };
}

/** A failure committed on its own, then its webhook event sent: what the app does after a transition outside a transaction. */
async function failAndAnnounce(params: Parameters<typeof failProject>[1]): Promise<boolean> {
  const won = await failProject(db(), params);
  if (won) await sendStatusChangeEvents(params);
  return won;
}

async function processingProject(user: TestUser, runId = randomUUID()): Promise<string> {
  const [row] = await db()<{ id: string }[]>`
    insert into projects (user_id, title, status, stage, progress, source_type, processing_run_id)
    values (${user.id}, 'launch-talk.mp4', 'processing', 'clips', 90, 'upload', ${runId})
    returning id`;
  return row!.id;
}

/** For tests that run all eight attempts: the same schedule, ten times shorter again. */
async function withQuickRetries(work: () => Promise<void>): Promise<void> {
  setEnvForProcess({ WEBHOOK_RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS / 10) });
  try {
    await work();
  } finally {
    setEnvForProcess({ WEBHOOK_RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS) });
  }
}

async function settle(): Promise<void> {
  await (await embeddedRunner()).idle();
}

async function deliveryLog(user: TestUser, endpointId: string) {
  const { status, body } = await callRoute(listDeliveriesRoute, { params: { id: endpointId }, headers: user.auth });
  expect(status).toBe(200);
  return body.deliveries as any[];
}

async function endpointRow(id: string) {
  const [row] = await db()<{ enabled: boolean; disabledReason: string | null }[]>`
    select enabled, disabled_reason as "disabledReason" from webhook_endpoints where id = ${id}`;
  return row;
}

describe("webhooks for project status changes", () => {
  let receiver: Receiver;
  const user = testUser("webhook-user", { each: true });

  beforeAll(async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1", WEBHOOK_RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS), WEBHOOK_TIMEOUT_SECONDS: "0.5" });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "", WEBHOOK_RETRY_BASE_SECONDS: "5", WEBHOOK_TIMEOUT_SECONDS: "15" });
    await receiver?.close();
  });
  beforeEach(() => {
    runJobsIn();
  });
  afterEach(async () => {
    await settle();
    setEmbeddedRunner(undefined);
  });

  it("delivers one request for a project that fails, signed per Standard Webhooks (checked independently)", async () => {
    const path = `/error-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    expect(await failAndAnnounce({ projectId, userId: user.id, code: "not_a_video", message: "That file is not a video." })).toBe(true);
    await settle();

    const requests = receiver.to(path);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(verifiesAsStandardWebhook(endpoint.secret, request!)).toBe(true);
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["webhook-id"]).toMatch(new RegExp(`^status-${projectId}-error-\\d+$`));
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({
      type: "project.error",
      data: {
        projectId,
        title: "launch-talk.mp4",
        status: "error",
        error: { code: "not_a_video", message: "That file is not a video." },
        url: expect.stringMatching(new RegExp(`/projects/${projectId}$`)),
      },
    });
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);

    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 200, lastError: null, projectId, eventType: "project.error" });
    expect(delivery.attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, error: null })]);
    expect(delivery.deliveredAt).not.toBeNull();
  });

  it("rejects a tampered body or a wrong secret in the independent check (the check is not vacuous)", async () => {
    const path = `/tamper-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);
    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "x" });
    await settle();
    const [request] = receiver.to(path);
    expect(verifiesAsStandardWebhook(endpoint.secret, { ...request!, body: request!.body.replace("error", "ready") })).toBe(false);
    expect(verifiesAsStandardWebhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, request!)).toBe(false);
  });

  it("delivers one signed request for a project that becomes ready through transitionProject", async () => {
    const path = `/ready-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    const won = await transitionProject(db(), {
      projectId,
      userId: user.id,
      from: ["processing"],
      to: "ready",
      fields: { stage: null, progress: 100 },
    });
    expect(won).toBe(true);
    await sendStatusChangeEvents({ projectId, userId: user.id });
    await settle();

    const requests = receiver.to(path);
    expect(requests).toHaveLength(1);
    expect(verifiesAsStandardWebhook(endpoint.secret, requests[0]!)).toBe(true);
    expect(JSON.parse(requests[0]!.body)).toMatchObject({ type: "project.ready", data: { projectId, status: "ready", error: null } });
  });

  it("writes the ready event of process-video's finalize transaction with the change, and delivers it once sent", async () => {
    const path = `/finalize-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const runId = randomUUID();
    const projectId = await processingProject(user, runId);

    await finalizeProject(db(), { projectId, userId: user.id, runId }, { clips: [], method: "remux", now: new Date() });
    const outbox = await db()<{ eventId: string; sentAt: Date | null; payload: any }[]>`
      select event_id as "eventId", sent_at as "sentAt", payload from outbox
      where project_id = ${projectId} and event_name = 'project/status.changed'`;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.payload).toMatchObject({ projectId, userId: user.id, status: "ready" });
    expect(outbox[0]!.eventId).toBe(eventIds.statusChanged(outbox[0]!.payload));

    await sendStatusChangeEvents({ projectId, userId: user.id }); // what the reconciler's outbox resend also does
    await settle();
    const requests = receiver.to(path);
    expect(requests).toHaveLength(1);
    expect(verifiesAsStandardWebhook(endpoint.secret, requests[0]!)).toBe(true);
    expect(requests[0]!.headers["webhook-id"]).toBe(outbox[0]!.eventId);
  });

  it("sends a run's project.error event when its retries run out, without waiting for the reconciler", async () => {
    const path = `/run-failed-${randomUUID()}`;
    await registerEndpoint(user, receiver.url(path));
    const runId = randomUUID();
    const projectId = await processingProject(user, runId);

    expect(await recordUnexpectedFailure(db(), { projectId, userId: user.id, runId, error: { message: "storage down" } })).toBe(true);
    await settle();

    const requests = receiver.to(path);
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.body)).toMatchObject({
      type: "project.error",
      data: { projectId, status: "error", error: { code: "processing_failed" } },
    });
    const unsent = await db()`
      select 1 from outbox where project_id = ${projectId} and event_name = 'project/status.changed' and sent_at is null`;
    expect(unsent).toHaveLength(0);
  });

  it("sends a run's project.error event when a step finds a problem with the video, without waiting for the reconciler", async () => {
    const path = `/step-refused-${randomUUID()}`;
    await registerEndpoint(user, receiver.url(path));
    const runId = randomUUID();
    const projectId = await processingProject(user, runId);

    const step = recordingFailures(db(), { projectId, userId: user.id, runId }, "probe", async () => {
      throw new ProcessingError("not_a_video", "That file is not a video.");
    });
    await expect(step).rejects.toThrow("That file is not a video.");
    await settle();

    const requests = receiver.to(path);
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.body)).toMatchObject({
      type: "project.error",
      data: { projectId, status: "error", error: { code: "not_a_video", message: "That file is not a video." } },
    });
  });

  it("retries after 500s with growing waits and succeeds; the delivery log shows every attempt", async () => {
    const path = `/flaky-${randomUUID()}`;
    receiver.script(path, [500, 503, 200]);
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    await settle();

    const requests = receiver.to(path);
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(verifiesAsStandardWebhook(endpoint.secret, request)).toBe(true);
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const gaps = [requests[1]!.receivedAt - requests[0]!.receivedAt, requests[2]!.receivedAt - requests[1]!.receivedAt];
    expect(gaps[0]).toBeGreaterThanOrEqual(retryDelayMs(1, RETRY_BASE_SECONDS)! - 1);
    expect(gaps[1]).toBeGreaterThanOrEqual(retryDelayMs(2, RETRY_BASE_SECONDS)! - 1);

    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(delivery.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 503, "HTTP 503"],
      [3, 200, null],
    ]);
    expect(delivery.attemptLog[0].responseBody).toBe("answer 500");
    const times = delivery.attemptLog.map((a: any) => Date.parse(a.at));
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(times[2]).toBeGreaterThan(times[1]);
  });

  it("retries an attempt that times out", async () => {
    const path = `/slow-${randomUUID()}`;
    receiver.script(path, ["hang", 200]);
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    await settle();

    expect(receiver.to(path)).toHaveLength(2);
    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2 });
    expect(delivery.attemptLog[0]).toMatchObject({ statusCode: null, error: "No answer within 0.5 s." });
  });

  it("does not follow a redirect: a 3xx counts as a failed attempt", async () => {
    const path = `/moved-${randomUUID()}`;
    receiver.script(path, [301, 200]);
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    await settle();

    expect(receiver.to(path)).toHaveLength(2);
    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery.attemptLog[0]).toMatchObject({ statusCode: 301, error: expect.stringContaining("redirects are not followed") });
  });

  it("disables the endpoint on 410 Gone, says why, and stops retrying", async () => {
    const path = `/gone-${randomUUID()}`;
    receiver.script(path, [410]);
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const first = await processingProject(user);

    await failAndAnnounce({ projectId: first, userId: user.id, code: "x", message: "Stopped." });
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 50)); // well past the first retry's wait

    expect(receiver.to(path)).toHaveLength(1);
    expect(await endpointRow(endpoint.id)).toEqual({ enabled: false, disabledReason: expect.stringContaining("410 Gone") });
    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 410, nextAttemptAt: null });

    // Later changes are not sent to it.
    const second = await processingProject(user);
    await failAndAnnounce({ projectId: second, userId: user.id, code: "x", message: "Stopped." });
    await settle();
    expect(receiver.to(path)).toHaveLength(1);
  });

  it(`gives up after ${MAX_DELIVERY_ATTEMPTS} attempts when the endpoint keeps failing`, async () => {
    const path = `/down-${randomUUID()}`;
    receiver.script(path, Array(MAX_DELIVERY_ATTEMPTS + 2).fill(500));
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    await withQuickRetries(async () => {
      await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
      await settle();
    });

    expect(receiver.to(path)).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "failed", attempts: MAX_DELIVERY_ATTEMPTS, lastStatusCode: 500, nextAttemptAt: null });
    expect(delivery.attemptLog).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: true });
  });

  it("sends one delivery per endpoint when the same transition is announced again and again", async () => {
    const pathA = `/dup-a-${randomUUID()}`;
    const pathB = `/dup-b-${randomUUID()}`;
    await registerEndpoint(user, receiver.url(pathA));
    await registerEndpoint(user, receiver.url(pathB));
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    // A lost transition race changes nothing and announces nothing.
    expect(await failAndAnnounce({ projectId, userId: user.id, code: "y", message: "Again." })).toBe(false);
    await settle();
    const [row] = await db()<{ eventId: string; payload: any }[]>`
      select event_id as "eventId", payload from outbox where project_id = ${projectId} and event_name = 'project/status.changed'`;
    const event = { name: "project/status.changed" as const, id: row!.eventId, data: row!.payload };

    // The reconciler resends it (same id), then a process without Inngest's memory of that id does too.
    await sendEvent(event);
    await settle();
    runJobsIn();
    await sendEvent(event);
    await sendEvent({ ...event, id: `${event.id}-copy` });
    await settle();

    expect(receiver.to(pathA)).toHaveLength(1);
    expect(receiver.to(pathB)).toHaveLength(1);
    const [count] = await db()<{ count: number }[]>`
      select count(*)::int as count from webhook_deliveries where project_id = ${projectId}`;
    expect(count!.count).toBe(2);
  });

  it("sends nothing to a switched-off endpoint", async () => {
    const path = `/off-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    await db()`update webhook_endpoints set enabled = false, disabled_reason = 'Switched off by its owner.' where id = ${endpoint.id}`;
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    await settle();

    expect(receiver.to(path)).toHaveLength(0);
    expect(await deliveryLog(user, endpoint.id)).toEqual([]);
  });

  it("stops retrying a delivery whose endpoint is switched off meanwhile, and says why", async () => {
    const path = `/switched-off-${randomUUID()}`;
    receiver.script(path, ["hang"]);
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    await expect.poll(() => receiver.to(path).length).toBe(1); // attempt 1 is waiting for an answer
    await db()`update webhook_endpoints set enabled = false, disabled_reason = 'Switched off by its owner.' where id = ${endpoint.id}`;
    await settle();

    expect(receiver.to(path)).toHaveLength(1);
    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, lastError: "Not sent: the endpoint was switched off.", nextAttemptAt: null });
  });

  it("sends one user's status changes only to that user's endpoints", async () => {
    const other = await createTestUser("webhook-other");
    const mine = `/mine-${randomUUID()}`;
    const theirs = `/theirs-${randomUUID()}`;
    await registerEndpoint(user, receiver.url(mine));
    await registerEndpoint(other, receiver.url(theirs));
    const projectId = await processingProject(user);

    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    await settle();

    expect(receiver.to(mine)).toHaveLength(1);
    expect(receiver.to(theirs)).toHaveLength(0);
  });

  it("checks the address again at delivery and never contacts one the guard now refuses", async () => {
    const path = `/rebound-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);

    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" }); // 127.0.0.1 is loopback again
    try {
      await withQuickRetries(async () => {
        await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
        await settle();
      });
    } finally {
      setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" });
    }

    expect(receiver.to(path)).toHaveLength(0);
    const [delivery] = await deliveryLog(user, endpoint.id);
    expect(delivery).toMatchObject({ status: "failed", attempts: MAX_DELIVERY_ATTEMPTS, lastStatusCode: null });
    expect(delivery.lastError).toMatch(/^Not sent: .*loopback/);
  });

  it("does not post again when an attempt step is retried after its answer was recorded", async () => {
    const endpoint = await registerEndpoint(user, receiver.url(`/once-${randomUUID()}`));
    const projectId = await processingProject(user);
    await failProject(db(), { projectId, userId: user.id, code: "x", message: "Stopped." });
    const [delivery] = await recordStatusDeliveries(db(), { projectId, userId: user.id, status: "error", at: new Date().toISOString() });
    let posts = 0;
    const deps = {
      now: () => new Date(),
      post: async () => {
        posts++;
        return { status: 502, body: "bad gateway" };
      },
    };

    const first = await attemptDelivery(db(), { deliveryId: delivery!.deliveryId, userId: user.id, attempt: 1 }, deps);
    const retried = await attemptDelivery(db(), { deliveryId: delivery!.deliveryId, userId: user.id, attempt: 1 }, deps);

    expect(posts).toBe(1);
    expect(first).toMatchObject({ done: false, attempts: 1 });
    expect(retried).toEqual(first);
    const [logged] = await deliveryLog(user, endpoint.id);
    expect(logged.attemptLog).toHaveLength(1);
  });

  it("hands a project's unsent status events to the job runner in one send", async () => {
    await registerEndpoint(user, receiver.url(`/batch-${randomUUID()}`));
    const projectId = await processingProject(user);
    await failProject(db(), { projectId, userId: user.id, code: "x", message: "Stopped." });
    await transitionProject(db(), { projectId, userId: user.id, from: ["error"], to: "processing" });
    await transitionProject(db(), { projectId, userId: user.id, from: ["processing"], to: "ready", fields: { stage: null, progress: 100 } });
    const send = vi.spyOn(await embeddedRunner(), "send");

    await sendStatusChangeEvents({ projectId, userId: user.id });

    const statusSends = send.mock.calls.filter(([events]) => events.some((e) => e.name === "project/status.changed"));
    expect(statusSends).toHaveLength(1);
    expect(statusSends[0]![0].map((e) => e.data.status)).toEqual(["error", "ready"]);
    const unsent = await db()`select 1 from outbox where project_id = ${projectId} and sent_at is null`;
    expect(unsent).toHaveLength(0);
  });

  it("announces nothing when the project has left the status before its event is sent (retried meanwhile)", async () => {
    const path = `/left-${randomUUID()}`;
    const endpoint = await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);
    expect(await failProject(db(), { projectId, userId: user.id, code: "x", message: "Stopped." })).toBe(true);
    expect(await transitionProject(db(), { projectId, userId: user.id, from: ["error"], to: "queued" })).toBe(true);

    await sendStatusChangeEvents({ projectId, userId: user.id }); // the error event, sent late (the reconciler's resend)
    await settle();

    expect(receiver.to(path)).toHaveLength(0);
    expect(await deliveryLog(user, endpoint.id)).toEqual([]);
  });

  it("announces nothing for a project deleted before its event is handled", async () => {
    const path = `/deleted-${randomUUID()}`;
    await registerEndpoint(user, receiver.url(path));
    const projectId = await processingProject(user);
    await failProject(db(), { projectId, userId: user.id, code: "x", message: "Stopped." });
    const [row] = await db()<{ eventId: string; payload: any }[]>`
      select event_id as "eventId", payload from outbox where project_id = ${projectId} and event_name = 'project/status.changed'`;
    await db()`delete from projects where id = ${projectId}`;

    await sendEvent({ name: "project/status.changed", id: row!.eventId, data: row!.payload });
    await settle();

    expect(receiver.to(path)).toHaveLength(0);
  });

  it("announces a project's status change only as its owner's, whatever user the event names", async () => {
    const other = await createTestUser("webhook-claimant");
    const theirs = `/claimant-${randomUUID()}`;
    await registerEndpoint(other, receiver.url(theirs));
    const projectId = await processingProject(user);
    await failProject(db(), { projectId, userId: user.id, code: "x", message: "Stopped." });

    const deliveries = await recordStatusDeliveries(db(), { projectId, userId: other.id, status: "error", at: new Date().toISOString() });

    expect(deliveries).toEqual([]);
    const [count] = await db()<{ count: number }[]>`select count(*)::int as count from webhook_deliveries where project_id = ${projectId}`;
    expect(count!.count).toBe(0);
  });

  it("writes no status event for a user without endpoints", async () => {
    const projectId = await processingProject(user);
    await failAndAnnounce({ projectId, userId: user.id, code: "x", message: "Stopped." });
    const rows = await db()`select 1 from outbox where project_id = ${projectId} and event_name = 'project/status.changed'`;
    expect(rows).toHaveLength(0);
  });
});
