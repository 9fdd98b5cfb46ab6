import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { envSource, setEnvForProcess } from "@/lib/env";
import { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { sendEvent, sendEvents } from "@/lib/jobs/send-event";
import type { OutboxEvent } from "@/lib/outbox/outbox";
import { resendUnsentEvents } from "@/lib/reconcile/resend-unsent-events";
import type { ReconcileDeps } from "@/lib/reconcile/types";
import { requestDeliveries } from "@/lib/webhooks/request-deliveries";
import { removeJobRunnerAfter, runJobsIn } from "@/tests/support/job-runner";
import { testReconcileSettings } from "@/tests/support/reconcile";
import { createTestUser } from "@/tests/support/users";

// Events that go out together go in one send: one request to Inngest (per hundred), one
// call into the embedded runner.

const event = (n: number): OutboxEvent => ({ name: "project/deleted", id: `batch-${randomUUID()}-${n}`, data: { projectId: randomUUID(), userId: randomUUID() } });

describe("sending events in batches to an Inngest server", () => {
  // A fake of Inngest's event API (POST /e/:key), recording each request's events.
  let fakeInngest: Server;
  const requests: { id: string }[][] = [];
  const { INNGEST_MODE, INNGEST_DEV_SERVER_URL } = envSource();
  const saved = { INNGEST_MODE, INNGEST_DEV_SERVER_URL };

  beforeAll(async () => {
    fakeInngest = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const events = JSON.parse(body) as { id: string }[];
        requests.push(events);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ids: events.map((e) => e.id), status: 200 }));
      });
    });
    await new Promise<void>((resolve) => fakeInngest.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(fakeInngest.address() as { port: number }).port}`;
    setEnvForProcess({ INNGEST_MODE: "dev", INNGEST_DEV_SERVER_URL: origin });
    vi.resetModules();
  });

  afterAll(() => {
    fakeInngest?.close();
    setEnvForProcess(saved);
    vi.resetModules();
  });

  it("sends many events in one request per hundred, and one event in one request", async () => {
    const { sendEvent: sendOne, sendEvents: sendMany } = await import("@/lib/jobs/send-event");
    const batch = Array.from({ length: 150 }, (_, n) => event(n));
    await sendMany(batch);
    expect(requests.map((r) => r.length)).toEqual([100, 50]);
    expect(requests.flat().map((e) => e.id)).toEqual(batch.map((e) => e.id));

    requests.length = 0;
    await sendOne(event(0));
    expect(requests.map((r) => r.length)).toEqual([1]);
  });
});

describe("sending events in batches in embedded mode", () => {
  removeJobRunnerAfter("each");

  it("hands a batch to the embedded runner in one call", async () => {
    const calls: number[] = [];
    class CountingRunner extends EmbeddedRunner {
      override send(events: Parameters<EmbeddedRunner["send"]>[0]) {
        calls.push(events.length);
        return super.send(events);
      }
    }
    // No functions registered: the runner only counts what it is handed.
    runJobsIn(new CountingRunner([], { retryDelayMs: () => 5 }));
    await sendEvents([event(1), event(2), event(3)]);
    await sendEvent(event(4));
    expect(calls).toEqual([3, 1]);
  });

  it("requests every delivery of a status change in one send", async () => {
    const sent: OutboxEvent[][] = [];
    const deliveries = [randomUUID(), randomUUID(), randomUUID()].map((deliveryId) => ({ deliveryId }));
    await requestDeliveries(deliveries, { projectId: "p1", userId: "u1" }, async (events) => void sent.push(events as OutboxEvent[]));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((e) => e.id)).toEqual(deliveries.map((d) => `webhook-delivery-${d.deliveryId}`));
  });
});

describe("the reconciler's resend of unsent outbox rows", () => {
  // Rows dated in 2019 and a clock set to mid-2019 select only this file's rows from the
  // shared database.
  const settings = testReconcileSettings();
  const clock = new Date("2019-06-01T00:00:00Z");

  async function unsentRows(count: number): Promise<OutboxEvent[]> {
    const user = await createTestUser("batched-resend");
    const events: OutboxEvent[] = Array.from({ length: count }, (_, n) => ({
      name: "project/deleted",
      id: `batch-${randomUUID()}-${n}`,
      data: { projectId: randomUUID(), userId: user.id },
    }));
    for (const e of events) {
      await db()`
        insert into outbox (user_id, event_name, event_id, payload, created_at)
        values (${user.id}, ${e.name}, ${e.id}, ${db().json(e.data)}, '2019-01-01T00:00:00Z')`;
    }
    return events;
  }

  async function outboxState(ids: string[]) {
    return db()<{ eventId: string; sent: boolean; attempts: number; lastError: string | null }[]>`
      select event_id as "eventId", sent_at is not null as sent, attempts, last_error as "lastError"
      from outbox where event_id = any(${ids}) order by event_id`;
  }

  it("sends the unsent rows in one batch and marks each sent", async () => {
    const events = await unsentRows(3);
    const batches: string[][] = [];
    const deps: ReconcileDeps = {
      now: () => clock,
      send: async () => Promise.reject(new Error("one at a time is not expected here")),
      sendEvents: async (batch) => void batches.push(batch.map((e) => e.id)),
      runHeld: () => false,
    };
    expect(await resendUnsentEvents(db(), settings, deps)).toEqual({ resent: 3, failed: 0 });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.toSorted()).toEqual(events.map((e) => e.id).toSorted());
    expect((await outboxState(events.map((e) => e.id))).every((row) => row.sent && row.attempts === 1)).toBe(true);
  });

  it("when the batch is refused, sends each on its own and marks sent only those that went", async () => {
    const events = await unsentRows(3);
    const refused = events[1]!.id;
    const deps: ReconcileDeps = {
      now: () => clock,
      send: async (e) => {
        if (e.id === refused) throw new Error("event rejected by the runner");
      },
      sendEvents: async () => Promise.reject(new Error("batch rejected")),
      runHeld: () => false,
    };
    expect(await resendUnsentEvents(db(), settings, deps)).toEqual({ resent: 2, failed: 1 });
    const state = new Map((await outboxState(events.map((e) => e.id))).map((row) => [row.eventId, row]));
    expect(state.get(refused)).toMatchObject({ sent: false, attempts: 1, lastError: "event rejected by the runner" });
    for (const e of events.filter((e) => e.id !== refused)) expect(state.get(e.id)).toMatchObject({ sent: true, attempts: 1 });
    await db()`delete from outbox where event_id = ${refused}`;
  });
});
