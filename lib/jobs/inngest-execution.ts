import type { InngestFunction } from "inngest";
import { InngestExecutionEngine, type InngestExecution } from "inngest/internals";
import { StepMode } from "inngest/types";

// The one place the embedded runner goes below the SDK's public API. The SDK has no public
// way to run a function outside its serve handler: the serve handler and Inngest's own
// @inngest/test both call the same execution engine, and so does this. Two things used
// here carry no semver promise: the engine's factory (exported from `inngest/internals`
// for Inngest's own packages) and the function's client (a protected member; the serve
// handler passes the client it was given). Everything else the runner reads is public
// (`fn.id()`, `fn.opts`).
//
// So `inngest` is pinned to an exact version in package.json, and
// tests/unit/jobs/inngest-contract.test.ts checks these members and the result shapes the
// runner relies on: an SDK upgrade fails there first, naming what moved.

export type ExecutionResult = InngestExecution.ExecutionResult;
export type StepOp = Extract<ExecutionResult, { type: "step-ran" }>["step"];
export type MemoizedStep = { id: string; data?: unknown; error?: unknown };

export type RunEvent = { name: string; data: Record<string, unknown>; id: string; ts: number };

export type ExecutionRequest = {
  runId: string;
  event: RunEvent;
  attempt: number;
  maxAttempts: number;
  /** Results of the steps that ran so far, by hashed step id. */
  stepState: Record<string, MemoizedStep>;
  stepCompletionOrder: string[];
  /** A step the previous execution planned and this one should run. */
  requestedRunStep?: string;
  handlerKind: "main" | "failure";
};

/** One execution of a function, as one request from the Inngest server makes it. */
export function executeOnce(fn: InngestFunction.Any, request: ExecutionRequest): Promise<ExecutionResult> {
  const { runId, event, attempt, maxAttempts } = request;
  return InngestExecutionEngine.createExecutionEngine({
    fn,
    client: fn["client"],
    runId,
    stepMode: StepMode.Async,
    data: { event, events: [event], runId, attempt, maxAttempts },
    stepState: { ...request.stepState },
    stepCompletionOrder: [...request.stepCompletionOrder],
    requestedRunStep: request.requestedRunStep,
    disableImmediateExecution: false,
    reqArgs: [],
    headers: {},
    handlerKind: request.handlerKind,
  }).start();
}
