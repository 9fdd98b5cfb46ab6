import { describe, expect, it } from "vitest";
import { Inngest } from "inngest";
import { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { EmbeddedRegistrationError } from "@/lib/jobs/embedded-registration";

const client = new Inngest({ id: "registration-test", isDev: true });
const body = async () => "ran";

function register(options: Record<string, unknown>) {
  const fn = client.createFunction({ id: "test-refused", triggers: [{ event: "test/go" }], ...options } as { id: string }, body);
  return () => new EmbeddedRunner([fn]);
}

describe("embedded runner registration", () => {
  it.each([
    ["debounce", { debounce: { period: "5s" } }],
    ["throttle", { throttle: { limit: 1, period: "1m" } }],
    ["rateLimit", { rateLimit: { limit: 1, period: "1h" } }],
    ["batchEvents", { batchEvents: { maxSize: 10, timeout: "5s" } }],
    ["priority", { priority: { run: "event.data.plan == 'pro' ? 100 : 0" } }],
    ["idempotency", { idempotency: "event.data.userId" }],
    ["timeouts", { timeouts: { finish: "1h" } }],
    ["singleton", { singleton: { mode: "skip" } }],
  ])("refuses a function with %s at start, naming the function and the option", (option, options) => {
    const start = register(options);
    expect(start).toThrow(EmbeddedRegistrationError);
    expect(start).toThrow(`embedded mode cannot honour the "${option}" option of function "test-refused"`);
  });

  it("refuses a trigger filter, a cancelOn expression or timeout, and a cancel match it cannot read", () => {
    const filtered = client.createFunction({ id: "test-filtered", triggers: [{ event: "test/go", if: "event.data.plan == 'pro'" }] }, body);
    expect(() => new EmbeddedRunner([filtered])).toThrow(/the "if" expression of its test\/go trigger of function "test-filtered"/);
    expect(register({ cancelOn: [{ event: "test/stop", if: "async.data.id == event.data.id" }] })).toThrow(/"if" expression of its cancelOn test\/stop/);
    expect(register({ cancelOn: [{ event: "test/stop", match: "data.id", timeout: "1h" }] })).toThrow(/timeout of its cancelOn test\/stop/);
    expect(register({ cancelOn: [{ event: "test/stop", match: "event.data.id" }] })).toThrow(/cancelOn match "event.data.id"/);
  });

  it("refuses a cron trigger it cannot read, naming the function and the expression", () => {
    const cron = client.createFunction({ id: "test-bad-cron", triggers: [{ cron: "61 * * * *" }] }, body);
    expect(() => new EmbeddedRunner([cron])).toThrow(/the cron trigger "61 \* \* \* \*" of function "test-bad-cron"/);
  });

  it("registers the options it honours: triggers, retries, concurrency with an event.data key, cancelOn by data path, onFailure", () => {
    const fn = client.createFunction(
      {
        id: "test-honoured",
        name: "honoured",
        triggers: [{ event: "test/go" }, { cron: "TZ=Europe/Paris 0 9 * * 1-5" }],
        retries: 2,
        concurrency: [{ key: "event.data.userId", limit: 1 }, { limit: 4 }],
        cancelOn: [{ event: "test/stop", match: "data.project.id" }],
        onFailure: async () => {},
      },
      body,
    );
    expect(() => new EmbeddedRunner([fn])).not.toThrow();
  });

  it("cancels by a nested data path, comparing the run's event with the cancel event", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fn = client.createFunction(
      { id: "test-nested-cancel", triggers: [{ event: "test/go" }], cancelOn: [{ event: "test/stop", match: "data.project.id" }] },
      async ({ step }) => step.run("wait", () => gate),
    );
    const runner = new EmbeddedRunner([fn], { retryDelayMs: () => 5 });
    const [kept] = runner.send([{ name: "test/go", data: { project: { id: "keep" } } }]).runs;
    const [stopped] = runner.send([{ name: "test/go", data: { project: { id: "stop" } } }]).runs;
    await new Promise((r) => setTimeout(r, 20));
    runner.send([{ name: "test/stop", data: { project: { id: "stop" } } }]);
    release();
    expect((await stopped)?.status).toBe("cancelled");
    expect((await kept)?.status).toBe("completed");
  });
});
