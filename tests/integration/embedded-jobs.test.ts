import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { NonRetriableError, RetryAfterError } from "inngest";
import { inngestClient } from "@/lib/jobs/client";
import { EmbeddedRunner, type RunOutcome } from "@/lib/jobs/embedded-runner";
import { currentRunSignal } from "@/lib/jobs/run-cancellation";
import { startEmbeddedCron } from "@/lib/jobs/embedded-cron";
import { embeddedRunner, sendEvent } from "@/lib/jobs/send-event";
import { headObject, putObject } from "@/lib/storage/objects";
import { outputKeys } from "@/lib/storage/keys";
import { eventIds } from "@/lib/jobs/events";
import { db } from "@/lib/db/client";
import { removeJobRunnerAfter, runJobsIn } from "@/tests/support/job-runner";
import { createTestUser } from "@/tests/support/users";

const fast = { retryDelayMs: () => 5 };

/** Starts a run for project p1, cancels it while its step waits at a gate, opens the gate, and returns how the run ended. */
async function cancelWhileStepWaits(runner: EmbeddedRunner, openGate: () => void) {
  const [run] = runner.send([{ name: "test/start", data: { projectId: "p1" } }]).runs;
  await new Promise((r) => setTimeout(r, 50));
  runner.send([{ name: "test/stop", data: { projectId: "p1" } }]);
  openGate();
  return (await run)?.status;
}

describe("embedded job mode", () => {
  removeJobRunnerAfter("all");

  it("runs a registered function to completion when an event is sent", async () => {
    runJobsIn();
    const userId = (await createTestUser("embedded")).id;
    const projectId = randomUUID();
    const playback = outputKeys.playback(userId, projectId);
    const original = `uploads/${userId}/${randomUUID()}/talk.mp4`;
    await putObject(playback, Buffer.from("mp4 bytes"), { contentType: "video/mp4" });
    await putObject(original, Buffer.from("original"), { contentType: "video/mp4" });
    // cleanup-project removes what the database recorded when the row went.
    await db()`
      insert into projects (id, user_id, title, source_type, r2_key) values (${projectId}, ${userId}, 'talk', 'upload', ${original})`;
    await db()`delete from projects where id = ${projectId}`;

    await sendEvent({ name: "project/deleted", id: eventIds.deleted(projectId), data: { projectId, userId } });
    await (await embeddedRunner()).idle();

    expect(await headObject(playback)).toBeNull();
    expect(await headObject(original)).toBeNull();
  });

  it("retries a failing step up to the function's retries, keeping earlier steps' results", async () => {
    const calls = { prepare: 0, flaky: 0 };
    const flaky = inngestClient().createFunction(
      { id: "test-flaky", retries: 3, triggers: [{ event: "test/flaky" }] },
      async ({ step }) => {
        const prepared = await step.run("prepare", () => {
          calls.prepare++;
          return { at: new Date("2026-01-01T00:00:00Z") };
        });
        const value = await step.run("flaky", () => {
          calls.flaky++;
          if (calls.flaky < 3) throw new Error(`transient failure ${calls.flaky}`);
          return "ok";
        });
        return { value, prepared };
      },
    );
    const runner = new EmbeddedRunner([flaky], fast);
    const [run] = runner.send([{ name: "test/flaky", data: {} }]).runs;
    const outcome = (await run) as Extract<RunOutcome, { status: "completed" }>;
    expect(outcome.status).toBe("completed");
    // Memoised step data crosses JSON, as it does through Inngest: the Date is a string.
    expect(outcome.output).toEqual({ value: "ok", prepared: { at: "2026-01-01T00:00:00.000Z" } });
    expect(calls).toEqual({ prepare: 1, flaky: 3 });
  });

  it("stops at a NonRetriableError and runs the function's onFailure handler once", async () => {
    let attempts = 0;
    const failures: string[] = [];
    const doomed = inngestClient().createFunction(
      {
        id: "test-doomed",
        retries: 5,
        triggers: [{ event: "test/doomed" }],
        onFailure: async ({ error }) => {
          failures.push(error.message);
        },
      },
      async ({ step }) => {
        await step.run("check", () => {
          attempts++;
          throw new NonRetriableError("the source file is missing");
        });
      },
    );
    const runner = new EmbeddedRunner([doomed], fast);
    const [run] = runner.send([{ name: "test/doomed", data: {} }]).runs;
    const outcome = await run;
    expect(outcome?.status).toBe("failed");
    expect(attempts).toBe(1);
    expect(failures).toEqual(["the source file is missing"]);
  });

  it("gives up after the configured retries and reports the last error", async () => {
    let attempts = 0;
    const broken = inngestClient().createFunction(
      { id: "test-broken", retries: 2, triggers: [{ event: "test/broken" }] },
      async ({ step }) => {
        await step.run("always-fails", () => {
          attempts++;
          throw new Error(`attempt ${attempts} failed`);
        });
      },
    );
    const outcome = await new EmbeddedRunner([broken], fast).send([{ name: "test/broken", data: {} }]).runs[0]!;
    expect(outcome).toMatchObject({ status: "failed", attempts: 3, error: { message: "attempt 3 failed" } });
    expect(attempts).toBe(3);
  });

  it("drops a second event with the same id, as Inngest does", async () => {
    let runs = 0;
    const counted = inngestClient().createFunction({ id: "test-counted", triggers: [{ event: "test/counted" }] }, async () => {
      runs++;
    });
    const runner = new EmbeddedRunner([counted], fast);
    runner.send([{ name: "test/counted", id: "same-id", data: {} }]);
    runner.send([{ name: "test/counted", id: "same-id", data: {} }]);
    await runner.idle();
    expect(runs).toBe(1);
  });

  it("runs parallel steps side by side and retries only the one that failed", async () => {
    const runs: Record<string, number> = { a: 0, b: 0 };
    let bothStarted!: () => void;
    const barrier = new Promise<void>((resolve) => (bothStarted = resolve));
    let started = 0;
    const meet = async () => {
      if (++started === 2) bothStarted();
      // Only resolves when the other step is running at the same time.
      await Promise.race([barrier, new Promise((_, reject) => setTimeout(() => reject(new Error("ran alone")), 2000))]);
    };
    const fn = inngestClient().createFunction({ id: "test-parallel", triggers: [{ event: "test/parallel" }], retries: 2 }, async ({ step }) => {
      const [a, b] = await Promise.all([
        step.run("a", async () => {
          runs.a!++;
          if (runs.a === 1) await meet();
          return "a-done";
        }),
        step.run("b", async () => {
          runs.b!++;
          if (runs.b === 1) {
            await meet();
            throw new Error("b fails once");
          }
          return "b-done";
        }),
      ]);
      return step.run("after", () => `${a}+${b}`);
    });
    const runner = new EmbeddedRunner([fn], fast);
    const [run] = runner.send([{ name: "test/parallel", data: {} }]).runs;
    const outcome = await run;
    expect(outcome).toMatchObject({ status: "completed", output: "a-done+b-done" });
    expect(runs).toEqual({ a: 1, b: 2 });
  });

  it("cancels a run between steps when a matching cancel event arrives", async () => {
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const long = inngestClient().createFunction(
      {
        id: "test-cancellable",
        triggers: [{ event: "test/start" }],
        cancelOn: [{ event: "test/stop", match: "data.projectId" }],
      },
      async ({ step }) => {
        await step.run("first", async () => {
          ran.push("first");
          await gate;
        });
        await step.run("second", () => ran.push("second"));
      },
    );
    expect(await cancelWhileStepWaits(new EmbeddedRunner([long], fast), release)).toBe("cancelled");
    expect(ran).toEqual(["first"]);
  });

  it("ends a run cancelled, without its failure handler, when the step under way fails after the cancel event", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let failureHandled = false;
    const fn = inngestClient().createFunction(
      {
        id: "test-cancelled-mid-step",
        triggers: [{ event: "test/start" }],
        cancelOn: [{ event: "test/stop", match: "data.projectId" }],
        onFailure: () => {
          failureHandled = true;
        },
      },
      async ({ step }) => {
        await step.run("work", async () => {
          await gate;
          throw new NonRetriableError("the project is gone");
        });
      },
    );
    const runner = new EmbeddedRunner([fn], fast);
    expect(await cancelWhileStepWaits(runner, release)).toBe("cancelled");
    await runner.idle();
    expect(failureHandled).toBe(false);
  });

  it("retries a failure handler that fails (the database that failed the run is still down) until it records the outcome", async () => {
    let handlerCalls = 0;
    const fn = inngestClient().createFunction(
      {
        id: "test-failure-handler-retried",
        retries: 0,
        triggers: [{ event: "test/outage" }],
        onFailure: () => {
          handlerCalls++;
          if (handlerCalls < 3) throw new Error("connect ECONNREFUSED");
        },
      },
      async () => {
        throw new NonRetriableError("the database went away");
      },
    );
    const runner = new EmbeddedRunner([fn], fast);
    const [run] = runner.send([{ name: "test/outage", data: {} }]).runs;
    expect((await run)?.status).toBe("failed");
    expect(handlerCalls).toBe(3);
  });

  it("holds a run from the moment its event is handed over until it ends, waiting for a concurrency slot included", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fn = inngestClient().createFunction(
      { id: "test-held", concurrency: [{ limit: 1 }], triggers: [{ event: "test/held" }] },
      async ({ step }) => step.run("wait", () => gate),
    );
    const runner = new EmbeddedRunner([fn], fast);
    runner.send([{ name: "test/held", data: { projectId: "first" } }, { name: "test/held", data: { projectId: "second" } }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.holdsRun("test/held", { projectId: "first" })).toBe(true);
    expect(runner.holdsRun("test/held", { projectId: "second" })).toBe(true); // waiting for the one slot
    expect(runner.holdsRun("test/held", { projectId: "third" })).toBe(false);
    release();
    await runner.idle();
    expect(runner.holdsRun("test/held", { projectId: "first" })).toBe(false);
  });

  it("holds a per-person limit and the global limit at once, starting queued runs in order as slots free", async () => {
    const gates = new Map<string, () => void>();
    const started: string[] = [];
    const fn = inngestClient().createFunction(
      {
        id: "test-keyed",
        concurrency: [{ key: "event.data.userId", limit: 1 }, { limit: 2 }],
        triggers: [{ event: "test/keyed" }],
      },
      async ({ event, step }) =>
        step.run("work", async () => {
          started.push(event.data.name);
          await new Promise<void>((resolve) => gates.set(event.data.name, resolve));
        }),
    );
    const runner = new EmbeddedRunner([fn], fast);
    const send = (name: string, userId: string) => runner.send([{ name: "test/keyed", data: { name, userId } }]);
    const settle = () => new Promise((r) => setTimeout(r, 50));
    send("a1", "alice");
    send("a2", "alice");
    send("b1", "bob");
    send("c1", "carol");
    await settle();
    // alice's second run waits for her own slot; bob's starts beside her first; carol's
    // waits for the global limit of 2.
    expect(started).toEqual(["a1", "b1"]);
    gates.get("a1")!();
    await settle();
    expect(started).toEqual(["a1", "b1", "a2"]); // a2 came before c1 and fits now
    gates.get("b1")!();
    await settle();
    expect(started).toEqual(["a1", "b1", "a2", "c1"]);
    gates.get("a2")!();
    gates.get("c1")!();
    await runner.idle();
  });

  it("does not let one person's queued runs hold up another person's run", async () => {
    const gates: (() => void)[] = [];
    const started: string[] = [];
    const fn = inngestClient().createFunction(
      {
        id: "test-keyed-fair",
        concurrency: [{ key: "event.data.userId", limit: 2 }, { limit: 4 }],
        triggers: [{ event: "test/fair" }],
      },
      async ({ event, step }) =>
        step.run("work", async () => {
          started.push(event.data.userId);
          await new Promise<void>((resolve) => gates.push(resolve));
        }),
    );
    const runner = new EmbeddedRunner([fn], fast);
    for (let i = 0; i < 4; i++) runner.send([{ name: "test/fair", data: { userId: "alice" } }]);
    runner.send([{ name: "test/fair", data: { userId: "bob" } }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual(["alice", "alice", "bob"]);
    for (const open of gates) open();
    await expect.poll(() => started.length).toBe(5);
    for (const open of gates) open();
    await runner.idle();
  });

  it("refuses at registration a concurrency key it cannot evaluate, naming the function", () => {
    const fn = inngestClient().createFunction(
      {
        id: "test-unknown-key",
        concurrency: [{ key: 'event.data.userId + "-" + event.data.plan', limit: 1 }],
        triggers: [{ event: "test/unknown-key" }],
      },
      async () => "never",
    );
    expect(() => new EmbeddedRunner([fn], fast)).toThrow(/cannot evaluate the concurrency key .* of function test-unknown-key/);
  });

  it("ends a run cancelled while it waits for a slot without running it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const fn = inngestClient().createFunction(
      {
        id: "test-cancel-queued",
        concurrency: [{ key: "event.data.userId", limit: 1 }],
        triggers: [{ event: "test/start" }],
        cancelOn: [{ event: "test/stop", match: "data.projectId" }],
      },
      async ({ event, step }) =>
        step.run("work", async () => {
          ran.push(event.data.projectId);
          await gate;
        }),
    );
    const runner = new EmbeddedRunner([fn], fast);
    const [first] = runner.send([{ name: "test/start", data: { projectId: "p1", userId: "u" } }]).runs;
    const [queued] = runner.send([{ name: "test/start", data: { projectId: "p2", userId: "u" } }]).runs;
    await new Promise((r) => setTimeout(r, 20));
    runner.send([{ name: "test/stop", data: { projectId: "p2" } }]);
    expect((await queued)?.status).toBe("cancelled");
    release();
    expect((await first)?.status).toBe("completed");
    expect(ran).toEqual(["p1"]);
  });

  it("aborts the signal a step under way sees the moment its run is cancelled", async () => {
    let abortedAfterMs = -1;
    const fn = inngestClient().createFunction(
      {
        id: "test-run-signal",
        triggers: [{ event: "test/start" }],
        cancelOn: [{ event: "test/stop", match: "data.projectId" }],
      },
      async ({ step }) =>
        step.run("long-work", async () => {
          const signal = currentRunSignal();
          if (!signal) throw new Error("no run signal inside the step");
          const since = Date.now();
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
          abortedAfterMs = Date.now() - since;
          throw signal.reason;
        }),
    );
    const runner = new EmbeddedRunner([fn], fast);
    const [run] = runner.send([{ name: "test/start", data: { projectId: "p1" } }]).runs;
    await new Promise((r) => setTimeout(r, 100));
    const cancelledAt = Date.now();
    runner.send([{ name: "test/stop", data: { projectId: "p1" } }]);
    expect((await run)?.status).toBe("cancelled");
    expect(Date.now() - cancelledAt).toBeLessThan(500);
    expect(abortedAfterMs).toBeGreaterThanOrEqual(90);
    expect(currentRunSignal()).toBeUndefined();
  });

  it("fails a run that waits for an event, saying embedded mode cannot, instead of carrying on without it", async () => {
    const failures: string[] = [];
    let after = false;
    const fn = inngestClient().createFunction(
      {
        id: "test-wait-for-event",
        triggers: [{ event: "test/wait" }],
        onFailure: ({ error }) => {
          failures.push(error.message);
        },
      },
      async ({ step }) => {
        await step.waitForEvent("approval", { event: "test/approved", timeout: "1h" });
        after = true;
      },
    );
    const outcome = await new EmbeddedRunner([fn], fast).send([{ name: "test/wait", data: {} }]).runs[0]!;
    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    const { error } = outcome as Extract<RunOutcome, { status: "failed" }>;
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error.message).toMatch(/embedded mode cannot run step.waitForEvent \(step "approval" of function "test-wait-for-event"\)/);
    expect(failures).toEqual([error.message]);
    expect(after).toBe(false);
  });

  it("fails a run that invokes another function at once, without retries, naming step.invoke", async () => {
    let attempts = 0;
    const invoked = inngestClient().createFunction({ id: "test-invoked", triggers: [{ event: "test/invoked" }] }, async () => "done");
    const fn = inngestClient().createFunction({ id: "test-invoke", retries: 3, triggers: [{ event: "test/invoke" }] }, async ({ step }) => {
      attempts++;
      return step.invoke("call-other", { function: invoked, data: {} });
    });
    const outcome = await new EmbeddedRunner([fn, invoked], fast).send([{ name: "test/invoke", data: {} }]).runs[0]!;
    expect(outcome).toMatchObject({ status: "failed", attempts: 1 });
    const { error } = outcome as Extract<RunOutcome, { status: "failed" }>;
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error.message).toMatch(/^embedded mode cannot run step.invoke \(step "call-other" of function "test-invoke"\): /);
    expect(attempts).toBe(1);
  });

  it("sleeps as asked within the bound and fails a run whose sleep is longer, naming the step and the bound", async () => {
    const ran: string[] = [];
    const fn = inngestClient().createFunction({ id: "test-sleeps", retries: 0, triggers: [{ event: "test/sleep" }] }, async ({ step }) => {
      await step.sleep("short", "1s");
      ran.push("after-short");
      await step.sleep("long", "2h");
      ran.push("after-long");
    });
    const runner = new EmbeddedRunner([fn], { ...fast, maxSleepMs: 60 * 60_000 });
    const startedAt = Date.now();
    const outcome = await runner.send([{ name: "test/sleep", data: {} }]).runs[0]!;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(ran).toEqual(["after-short"]);
    expect(outcome).toMatchObject({
      status: "failed",
      error: {
        name: "NonRetriableError",
        message: expect.stringMatching(/^embedded mode cannot run step.sleep \(step "long" of function "test-sleeps"\): .*at most 60 min, and this one asks for 120 min/),
      },
    });
  });

  it("ends a sleeping run at once when it is cancelled", async () => {
    const fn = inngestClient().createFunction(
      { id: "test-cancel-sleep", triggers: [{ event: "test/start" }], cancelOn: [{ event: "test/stop", match: "data.projectId" }] },
      async ({ step }) => step.sleep("nap", "10m"),
    );
    const runner = new EmbeddedRunner([fn], fast);
    const [run] = runner.send([{ name: "test/start", data: { projectId: "p1" } }]).runs;
    await new Promise((r) => setTimeout(r, 50));
    const cancelledAt = Date.now();
    runner.send([{ name: "test/stop", data: { projectId: "p1" } }]);
    expect((await run)?.status).toBe("cancelled");
    expect(Date.now() - cancelledAt).toBeLessThan(500);
  });

  it("waits the seconds a RetryAfterError asks for before the next attempt", async () => {
    const attemptsAt: number[] = [];
    const fn = inngestClient().createFunction({ id: "test-retry-after", retries: 1, triggers: [{ event: "test/retry-after" }] }, async ({ step }) =>
      step.run("limited", () => {
        attemptsAt.push(Date.now());
        if (attemptsAt.length === 1) throw new RetryAfterError("rate limited", 1000);
        return "ok";
      }),
    );
    const outcome = await new EmbeddedRunner([fn], fast).send([{ name: "test/retry-after", data: {} }]).runs[0]!;
    expect(outcome).toMatchObject({ status: "completed", output: "ok" });
    expect(attemptsAt[1]! - attemptsAt[0]!).toBeGreaterThanOrEqual(950);
  });

  it("runs each cron function once at start, told when the process started, and repeats that run until it succeeds", async () => {
    const seen: unknown[] = [];
    let failuresLeft = 2;
    const cron = inngestClient().createFunction(
      { id: "test-startup-cron", retries: 0, triggers: [{ cron: "0 0 1 1 *" }] },
      async ({ event }) => {
        seen.push(event.data);
        if (failuresLeft-- > 0) throw new Error("database still starting");
        return "done";
      },
    );
    const startedAt = new Date();
    const stop = startEmbeddedCron(new EmbeddedRunner([cron], fast), { startedAt, startupRetryMs: 10 });
    try {
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
      expect(seen).toEqual(Array(3).fill({ interruptedBefore: startedAt.toISOString() }));
    } finally {
      stop();
    }
  });
});
