import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Inngest, NonRetriableError } from "inngest";
import { InngestExecutionEngine } from "inngest/internals";
import { StepOpCode } from "inngest/types";
import { executeOnce, type ExecutionRequest, type ExecutionResult } from "@/lib/jobs/inngest-execution";

// The embedded runner drives functions through parts of the SDK that carry no semver
// promise (lib/jobs/inngest-execution.ts). This file is the contract: it checks exactly
// what the runner relies on, so an `inngest` upgrade that moves any of it fails here,
// naming it, before embedded mode quietly runs functions differently. When it fails,
// read the SDK's serve handler (components/InngestCommHandler.js) for what changed,
// adapt lib/jobs/inngest-execution.ts and the runner, then move the pin.

const root = path.resolve(import.meta.dirname, "../../..");
const client = new Inngest({ id: "contract-test", isDev: true });

function request(overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  const event = { name: "contract/run", data: { projectId: "p1" }, id: "evt-1", ts: Date.now() };
  return { runId: "run-1", event, attempt: 0, maxAttempts: 4, stepState: {}, stepCompletionOrder: [], handlerKind: "main", ...overrides };
}

function expectKind<K extends ExecutionResult["type"]>(result: ExecutionResult, type: K): Extract<ExecutionResult, { type: K }> {
  expect(result.type, `execution result kind (the runner switches on it): ${JSON.stringify(result.type)}`).toBe(type);
  return result as Extract<ExecutionResult, { type: K }>;
}

describe("the inngest SDK contract the embedded runner relies on", () => {
  it("pins inngest to the exact version installed, so an upgrade is a deliberate change that runs this file", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const installed = JSON.parse(readFileSync(path.join(root, "node_modules/inngest/package.json"), "utf8")) as { version: string };
    expect(manifest.dependencies.inngest, "package.json must pin inngest exactly (no ^ or ~)").toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed.version).toBe(manifest.dependencies.inngest);
  });

  it("keeps a function's configuration public as fn.opts and fn.id(), and its client on fn.client", () => {
    const onFailure = async () => {};
    const fn = client.createFunction(
      { id: "contract-config", triggers: [{ event: "contract/run" }], retries: 2, cancelOn: [{ event: "contract/stop", match: "data.projectId" }], onFailure },
      async () => "ok",
    );
    expect(fn.id()).toBe("contract-config");
    expect(fn.opts).toMatchObject({ triggers: [{ event: "contract/run" }], retries: 2, cancelOn: [{ event: "contract/stop", match: "data.projectId" }] });
    expect(fn.opts.onFailure).toBe(onFailure);
    expect(fn["client"], "the protected member fn.client is the client that created the function").toBe(client);
    expect(typeof InngestExecutionEngine.createExecutionEngine, "inngest/internals exports InngestExecutionEngine.createExecutionEngine").toBe("function");
  });

  it("names the op codes the runner reads as it did", () => {
    expect({
      StepPlanned: StepOpCode.StepPlanned,
      StepRun: StepOpCode.StepRun,
      StepError: StepOpCode.StepError,
      StepFailed: StepOpCode.StepFailed,
      Sleep: StepOpCode.Sleep,
      WaitForEvent: StepOpCode.WaitForEvent,
    }).toEqual({
      StepPlanned: "StepPlanned",
      StepRun: "StepRun",
      StepError: "StepError",
      StepFailed: "StepFailed",
      Sleep: "Sleep",
      WaitForEvent: "WaitForEvent",
    });
  });

  it("runs a lone step in the same execution, then resolves with its memoised result", async () => {
    const fn = client.createFunction({ id: "contract-steps", triggers: [{ event: "contract/run" }] }, async ({ event, step }) => {
      const doubled = await step.run("double", () => ({ value: String(event.data.projectId).repeat(2) }));
      return { doubled };
    });
    const ran = expectKind(await executeOnce(fn, request()), "step-ran");
    expect(ran.step).toMatchObject({ op: StepOpCode.StepRun, displayName: "double", data: { value: "p1p1" } });
    const stepId = ran.step.id;

    const done = expectKind(
      await executeOnce(fn, request({ stepState: { [stepId]: { id: stepId, data: { value: "p1p1" } } }, stepCompletionOrder: [stepId] })),
      "function-resolved",
    );
    expect(done.data).toEqual({ doubled: { value: "p1p1" } });
  });

  it("reports a failing step as StepError while attempts remain and StepFailed on the last, which the function then sees", async () => {
    const fn = client.createFunction({ id: "contract-failing", triggers: [{ event: "contract/run" }] }, async ({ step }) => {
      await step.run("fail", () => {
        throw new Error("boom");
      });
    });
    const retrying = expectKind(await executeOnce(fn, request()), "step-ran");
    expect(retrying.step).toMatchObject({ op: StepOpCode.StepError, error: { message: "boom" } });
    expect(retrying.retriable).not.toBe(false);
    const stepId = retrying.step.id;

    const last = expectKind(await executeOnce(fn, request({ attempt: 3, maxAttempts: 4 })), "step-ran");
    expect(last.step).toMatchObject({ id: stepId, op: StepOpCode.StepFailed });
    const rejected = expectKind(
      await executeOnce(fn, request({ stepState: { [stepId]: { id: stepId, error: last.step.error } }, stepCompletionOrder: [stepId] })),
      "function-rejected",
    );
    expect(rejected.error).toMatchObject({ message: "boom" });
  });

  it("rejects a NonRetriableError as not retriable", async () => {
    const fn = client.createFunction({ id: "contract-non-retriable", triggers: [{ event: "contract/run" }] }, async () => {
      throw new NonRetriableError("gone for good");
    });
    const rejected = expectKind(await executeOnce(fn, request()), "function-rejected");
    expect(rejected.retriable).toBe(false);
    expect(rejected.error).toMatchObject({ message: "gone for good" });
  });

  it("plans parallel steps together and runs the one requested, a sleep is a Sleep op named by its time string, waitForEvent its own op", async () => {
    const parallel = client.createFunction({ id: "contract-parallel", triggers: [{ event: "contract/run" }] }, async ({ step }) =>
      Promise.all([step.run("a", () => 1), step.run("b", () => 2)]),
    );
    const both = expectKind(await executeOnce(parallel, request()), "steps-found");
    expect(both.steps.map((s) => [s.op, s.displayName])).toEqual([
      [StepOpCode.StepPlanned, "a"],
      [StepOpCode.StepPlanned, "b"],
    ]);
    const a = expectKind(await executeOnce(parallel, request({ requestedRunStep: both.steps[0].id })), "step-ran");
    expect(a.step).toMatchObject({ id: both.steps[0].id, op: StepOpCode.StepRun, data: 1 });

    const sleeper = client.createFunction({ id: "contract-sleep", triggers: [{ event: "contract/run" }] }, async ({ step }) => {
      await step.sleep("nap", "90m");
      await step.sleepUntil("alarm", new Date("2030-01-01T00:00:00Z"));
    });
    const nap = expectKind(await executeOnce(sleeper, request()), "steps-found");
    expect(nap.steps[0]).toMatchObject({ op: StepOpCode.Sleep, name: "1h30m", displayName: "nap" });
    const napId = nap.steps[0].id;
    const alarm = expectKind(
      await executeOnce(sleeper, request({ stepState: { [napId]: { id: napId, data: null } }, stepCompletionOrder: [napId] })),
      "steps-found",
    );
    expect(alarm.steps[0]).toMatchObject({ op: StepOpCode.Sleep, name: "2030-01-01T00:00:00.000Z" });

    const waiter = client.createFunction({ id: "contract-wait", triggers: [{ event: "contract/run" }] }, async ({ step }) =>
      step.waitForEvent("approval", { event: "contract/approved", timeout: "1h" }),
    );
    const wait = expectKind(await executeOnce(waiter, request()), "steps-found");
    expect(wait.steps[0]).toMatchObject({ op: StepOpCode.WaitForEvent, displayName: "approval" });
  });

  it("runs the onFailure handler for handlerKind failure, with the failed run's event inside the failure event", async () => {
    const seen: unknown[] = [];
    const fn = client.createFunction(
      {
        id: "contract-on-failure",
        triggers: [{ event: "contract/run" }],
        onFailure: async ({ event, error }) => {
          seen.push({ projectId: event.data.event.data.projectId, message: error.message });
        },
      },
      async () => "never runs here",
    );
    const failureEvent = {
      name: "inngest/function.failed",
      id: "evt-failed",
      ts: Date.now(),
      data: { error: { name: "Error", message: "boom" }, event: request().event, function_id: "contract-on-failure", run_id: "run-1" },
    };
    expectKind(await executeOnce(fn, request({ event: failureEvent, handlerKind: "failure" })), "function-resolved");
    expect(seen).toEqual([{ projectId: "p1", message: "boom" }]);
  });
});
