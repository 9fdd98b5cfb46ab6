import { describe, expect, it } from "vitest";
import { Inngest, type InngestFunction } from "inngest";
import { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { EmbeddedRegistrationError } from "@/lib/jobs/embedded-registration";

const client = new Inngest({ id: "registration-test", isDev: true });
const body = async () => "ran";

function register(options: Record<string, unknown>) {
  const fn = client.createFunction({ id: "test-refused", triggers: [{ event: "test/go" }], ...options } as { id: string }, body);
  return () => new EmbeddedRunner([fn]);
}

// Every option of the pinned SDK's function configuration, each either honoured by the
// runner or refused with an example value. Typed by the SDK's own InngestFunction.Options,
// so an SDK that adds or drops an option fails the type check here until it is decided.
const everyOption: Record<keyof InngestFunction.Options, "honoured" | { refusedWith: unknown }> = {
  id: "honoured",
  name: "honoured",
  description: "honoured",
  triggers: "honoured",
  concurrency: "honoured",
  cancelOn: "honoured",
  retries: "honoured",
  onFailure: "honoured",
  middleware: "honoured",
  optimizeParallelism: "honoured",
  checkpointing: "honoured",
  experimentalCheckpointing: "honoured",
  debounce: { refusedWith: { period: "5s" } },
  throttle: { refusedWith: { limit: 1, period: "1m" } },
  rateLimit: { refusedWith: { limit: 1, period: "1h" } },
  batchEvents: { refusedWith: { maxSize: 10, timeout: "5s" } },
  priority: { refusedWith: { run: "event.data.plan == 'pro' ? 100 : 0" } },
  idempotency: { refusedWith: "event.data.userId" },
  timeouts: { refusedWith: { finish: "1h" } },
  singleton: { refusedWith: { mode: "skip" } },
};

const refusedOptions = Object.entries(everyOption).flatMap(([option, rule]) => (rule === "honoured" ? [] : [[option, rule.refusedWith] as const]));

describe("embedded runner registration", () => {
  it.each(refusedOptions)("refuses a function with %s at start, naming the function and the option", (option, value) => {
    const start = register({ [option]: value });
    expect(start).toThrow(EmbeddedRegistrationError);
    expect(start).toThrow(`embedded mode cannot honour the "${option}" option of function "test-refused"`);
  });

  it("refuses a field it does not read in a trigger, a cancelOn entry or a concurrency limit", () => {
    expect(register({ triggers: [{ cron: "0 * * * *", jitter: "5m" }] })).toThrow(/the "jitter" field of a trigger of function "test-refused"/);
    expect(register({ cancelOn: [{ event: "test/stop", match: "data.id", window: "1h" }] })).toThrow(/the "window" field of a cancelOn entry/);
    expect(register({ concurrency: [{ limit: 1, key: "event.data.userId", weight: 2 }] })).toThrow(/the "weight" field of a concurrency limit/);
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
