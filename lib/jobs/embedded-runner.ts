import { randomUUID } from "node:crypto";
import type { InngestFunction } from "inngest";
import { ServerTiming } from "inngest/internals";
import { StepMode, StepOpCode } from "inngest/types";
import { log } from "@/lib/log";
import { ConcurrencyGate, concurrencyRules, type ConcurrencyRule } from "./concurrency";
import { RunCancelledError, withRunSignal } from "./run-cancellation";

// Embedded mode: this process plays the part of the Inngest server for functions it
// serves. It drives each registered function through the SDK's own execution engine
// (`createExecution(...).start()`, the call the serve endpoint makes for every request
// from Inngest), memoising step results between calls, retrying failed steps and runs up
// to the function's `retries`, stopping on NonRetriableError, and running `onFailure`.
// It is not a second job system: the Inngest function body is the only definition of
// the work; this only decides who calls it.
//
// Concurrency limits hold as on Inngest, keyed ones included (./concurrency.ts). A
// cancelled run stops at once, not only between steps: each run has an AbortSignal that
// the code of its step under way sees (./run-cancellation.ts) and aborts on the cancel
// event, so ffmpeg is killed and a download aborted mid-step.

type AnyFunction = InngestFunction.Any;
type RunEvent = { name: string; data: Record<string, unknown>; id: string; ts: number };
type StepEntry = { id: string; data?: unknown; error?: unknown };
type Op = { id: string; op: string; data?: unknown; error?: unknown; opts?: Record<string, unknown>; name?: string; displayName?: string };
type ExecutionResult =
  | { type: "function-resolved"; data: unknown }
  | { type: "function-rejected"; error: unknown; retriable: boolean | string }
  | { type: "step-ran"; step: Op; retriable?: boolean | string }
  | { type: "steps-found"; steps: Op[] }
  | { type: "step-not-found"; step: Op }
  | { type: "change-mode" };

export type RunOutcome =
  | { status: "completed"; runId: string; functionId: string; output: unknown; attempts: number }
  | { status: "failed"; runId: string; functionId: string; error: { name?: string; message?: string }; attempts: number }
  | { status: "cancelled"; runId: string; functionId: string; attempts: number };

export type EmbeddedRunnerOptions = {
  retryDelayMs?: (attempt: number) => number;
  onOutcome?: (outcome: RunOutcome) => void;
};

type ActiveRun = { fn: AnyFunction; event: RunEvent; controller: AbortController };

const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_ITERATIONS = 10_000;
const FAILURE_HANDLER_ATTEMPTS = 8;

function functionId(fn: AnyFunction): string {
  return fn.id();
}

function triggerEventNames(fn: AnyFunction): string[] {
  const triggers = (fn["opts"].triggers ?? []) as unknown[];
  return triggers.flatMap((t) => {
    if (!t || typeof t !== "object") return [];
    const event = (t as { event?: unknown }).event;
    if (typeof event === "string") return [event];
    if (event && typeof event === "object" && "name" in event) return [String((event as { name: unknown }).name)];
    return [];
  });
}

// Memoised step data crosses a JSON boundary in Inngest; do the same here so embedded
// runs see exactly the values a cloud run would (Dates become strings, undefined drops).
function viaJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function parseDurationMs(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return 0;
  const match = value.match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/);
  if (match) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? "ms"] ?? 1;
    return Number(match[1]) * unit;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

const quietLogger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as ConstructorParameters<
  typeof ServerTiming.ServerTiming
>[0];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class EmbeddedRunner {
  private readonly seenEventIds = new Map<string, number>();
  private readonly inflight = new Set<Promise<RunOutcome>>();
  /** Main runs that a cancel event can reach: from acceptance, waiting for a slot included. */
  private readonly active = new Set<ActiveRun>();
  /** Every run from the moment it is handed over until it ends, waiting for a slot included. */
  private readonly accepted = new Set<{ event: RunEvent }>();
  private readonly gate = new ConcurrencyGate();
  private readonly rules: Map<string, ConcurrencyRule[]>;
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(
    private readonly functions: AnyFunction[],
    private readonly options: EmbeddedRunnerOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(1000 * 2 ** attempt, 60_000));
    // At registration: a limit this runner cannot apply (a key expression it cannot
    // evaluate) throws here, rather than running the function without it.
    this.rules = new Map(functions.map((fn) => [functionId(fn), concurrencyRules(functionId(fn), fn["opts"].concurrency)]));
  }

  /** Accepts events like `inngest.send`: starts a run of every function they trigger. */
  send(events: { name: string; data: Record<string, unknown>; id?: string }[]): { ids: string[]; runs: Promise<RunOutcome>[] } {
    const now = Date.now();
    for (const [id, at] of this.seenEventIds) if (now - at > DEDUPE_WINDOW_MS) this.seenEventIds.delete(id);
    const ids: string[] = [];
    const runs: Promise<RunOutcome>[] = [];
    for (const input of events) {
      const event: RunEvent = { name: input.name, data: input.data, id: input.id ?? randomUUID(), ts: now };
      ids.push(event.id);
      if (input.id && this.seenEventIds.has(input.id)) continue;
      if (input.id) this.seenEventIds.set(input.id, now);
      this.cancelMatchingRuns(event);
      for (const fn of this.functions) {
        if (triggerEventNames(fn).includes(event.name)) runs.push(this.track(this.run(fn, event)));
      }
    }
    return { ids, runs };
  }

  /** Runs a function once now, as its cron trigger would; `data` is what the run sees as the event's data. */
  trigger(id: string, data: Record<string, unknown> = {}): Promise<RunOutcome> {
    const fn = this.functions.find((f) => functionId(f) === id);
    if (!fn) throw new Error(`no function with id ${id}`);
    return this.track(this.run(fn, { name: "inngest/scheduled.timer", data, id: randomUUID(), ts: Date.now() }));
  }

  /**
   * Whether this process holds a run (waiting for a concurrency slot, running or retrying)
   * of an event with that name whose data matches. What a crash loses is exactly what this
   * says: the reconciler leaves these alone and re-drives the rest.
   */
  holdsRun(eventName: string, data: Record<string, unknown>): boolean {
    for (const { event } of this.accepted) {
      if (event.name === eventName && Object.entries(data).every(([k, v]) => event.data[k] === v)) return true;
    }
    return false;
  }

  /** Resolves when no run is in flight (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private track(run: Promise<RunOutcome>): Promise<RunOutcome> {
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
    return run;
  }

  private cancelMatchingRuns(event: RunEvent): void {
    for (const run of this.active) {
      const cancelOn = (run.fn["opts"].cancelOn ?? []) as { event: string | { name: string }; match?: string }[];
      for (const rule of cancelOn) {
        const name = typeof rule.event === "string" ? rule.event : rule.event.name;
        if (name !== event.name) continue;
        const field = rule.match?.replace(/^data\./, "");
        if (!field || run.event.data[field] === event.data[field]) {
          run.controller.abort(new RunCancelledError(`${event.name} matched ${rule.match ?? "every run"}`));
        }
      }
    }
  }

  private async run(fn: AnyFunction, event: RunEvent): Promise<RunOutcome> {
    const entry = { event };
    const active: ActiveRun = { fn, event, controller: new AbortController() };
    this.accepted.add(entry);
    this.active.add(active);
    try {
      const outcome = await this.runInSlot(active);
      // Outside the concurrency slot: the failure handler's retries wait on whatever made
      // the run fail (a database that is down), not on the next run.
      if (outcome.status === "failed" && fn["onFailureFn"]) {
        const failureEvent: RunEvent = {
          name: "inngest/function.failed",
          id: randomUUID(),
          ts: Date.now(),
          data: { error: outcome.error, event, function_id: functionId(fn), run_id: outcome.runId },
        };
        const handled = await this.execute(fn, failureEvent, "failure", { fn, event: failureEvent, controller: new AbortController() });
        if (handled.status === "failed") {
          log.error("embedded_failure_handler_failed", { functionId: outcome.functionId, runId: outcome.runId, error: handled.error.message });
        }
      }
      this.options.onOutcome?.(outcome);
      return outcome;
    } finally {
      this.accepted.delete(entry);
      this.active.delete(active);
    }
  }

  private async runInSlot(active: ActiveRun): Promise<RunOutcome> {
    const { fn, event } = active;
    const release = await this.gate.acquire(this.rules.get(functionId(fn)) ?? [], event, active.controller.signal);
    if (!release) return { status: "cancelled", runId: randomUUID(), functionId: functionId(fn), attempts: 0 };
    try {
      const outcome = await this.execute(fn, event, "main", active);
      log[outcome.status === "failed" ? "warn" : "info"]("embedded_run_finished", {
        functionId: outcome.functionId,
        runId: outcome.runId,
        status: outcome.status,
        attempts: outcome.attempts,
        ...(outcome.status === "failed" ? { error: outcome.error.message } : {}),
      });
      return outcome;
    } finally {
      release();
    }
  }

  private async execute(
    fn: AnyFunction,
    event: RunEvent,
    handlerKind: "main" | "failure",
    active: ActiveRun,
  ): Promise<RunOutcome> {
    const runId = randomUUID();
    const id = functionId(fn);
    const retries = (fn.opts as { retries?: number }).retries ?? 3;
    // A failure handler records how the run ended; like Inngest, keep trying it (about two
    // minutes with the default delays), so an outage that failed the run does not also
    // leave the outcome unrecorded.
    const maxAttempts = handlerKind === "failure" ? FAILURE_HANDLER_ATTEMPTS : retries + 1;
    const stepState: Record<string, StepEntry> = {};
    const completionOrder: string[] = [];
    let attempt = 0;
    let totalAttempts = 1;
    let requestedRunStep: string | undefined;

    const retryOrFail = async (error: unknown, retriable: boolean | string | undefined): Promise<RunOutcome | undefined> => {
      // A run cancelled while its step was under way is cancelled, whatever that step then
      // threw (often because of what cancelled it: the project it worked on is gone).
      if (active.controller.signal.aborted) return { status: "cancelled", runId, functionId: id, attempts: totalAttempts };
      if (retriable === false || attempt + 1 >= maxAttempts) {
        return { status: "failed", runId, functionId: id, error: error as { message?: string }, attempts: totalAttempts };
      }
      await sleep(typeof retriable === "string" ? parseDurationMs(retriable) : this.retryDelayMs(attempt));
      attempt++;
      totalAttempts++;
      return undefined;
    };

    const start = (requested: string | undefined): Promise<ExecutionResult> =>
      withRunSignal(active.controller.signal, () => fn["createExecution"]({
        partialOptions: {
          client: fn["client"],
          runId,
          stepMode: StepMode.Async,
          data: { event, events: [event], runId, attempt, maxAttempts },
          stepState: { ...stepState },
          stepCompletionOrder: [...completionOrder],
          requestedRunStep: requested,
          disableImmediateExecution: false,
          reqArgs: [],
          headers: {},
          handlerKind,
          timer: new ServerTiming.ServerTiming(quietLogger),
        },
      }).start() as Promise<ExecutionResult>);

    const record = (step: Op) => {
      stepState[step.id] =
        step.op === StepOpCode.StepFailed ? { id: step.id, error: step.error } : { id: step.id, data: viaJson(step.data) };
      completionOrder.push(step.id);
    };

    for (let i = 0; i < MAX_ITERATIONS; i++) {
      if (active.controller.signal.aborted) return { status: "cancelled", runId, functionId: id, attempts: totalAttempts };
      const result = await start(requestedRunStep);
      requestedRunStep = undefined;

      switch (result.type) {
        case "function-resolved":
          return { status: "completed", runId, functionId: id, output: viaJson(result.data), attempts: totalAttempts };

        case "function-rejected": {
          const outcome = await retryOrFail(result.error, result.retriable);
          if (outcome) return outcome;
          break;
        }

        case "step-ran": {
          const step = result.step;
          if (step.op === StepOpCode.StepError) {
            const outcome = await retryOrFail(step.error, result.retriable ?? true);
            if (outcome) return outcome;
            break;
          }
          record(step);
          attempt = 0;
          break;
        }

        case "steps-found": {
          const runnable = result.steps.filter((s) => s.op === StepOpCode.StepPlanned);
          if (runnable.length === 1) {
            requestedRunStep = runnable[0]!.id;
            break;
          }
          if (runnable.length > 1) {
            // Parallel steps (Promise.all of step.run): each runs in its own execution, side
            // by side, as the Inngest server runs them. Those that succeed are kept; a failed
            // one is retried on its own.
            const ran = await Promise.all(runnable.map((s) => start(s.id)));
            let failure: { error: unknown; retriable: boolean | string } | undefined;
            for (const r of ran) {
              if (r.type === "step-ran" && r.step.op !== StepOpCode.StepError) record(r.step);
              else if (r.type === "step-ran") failure ??= { error: r.step.error, retriable: r.retriable ?? true };
              else if (r.type === "function-rejected") failure ??= { error: r.error, retriable: r.retriable };
              else throw new Error(`unexpected execution result ${r.type} for a parallel step of ${id}`);
            }
            if (failure) {
              const outcome = await retryOrFail(failure.error, failure.retriable);
              if (outcome) return outcome;
            } else {
              attempt = 0;
            }
            break;
          }
          for (const step of result.steps) {
            if (step.op === StepOpCode.Sleep) await sleep(parseDurationMs(step.name ?? step.opts?.duration));
            else if (step.op !== StepOpCode.WaitForEvent && step.op !== StepOpCode.StepRun) {
              throw new Error(`embedded mode does not support the ${step.op} step in ${id}`);
            }
            stepState[step.id] = { id: step.id, data: step.op === StepOpCode.StepRun ? viaJson(step.data) : null };
            completionOrder.push(step.id);
          }
          break;
        }

        case "step-not-found":
          return {
            status: "failed",
            runId,
            functionId: id,
            error: { name: "StepNotFound", message: `step ${result.step.id} not found` },
            attempts: totalAttempts,
          };

        case "change-mode":
          throw new Error(`unexpected execution result ${result.type} in embedded mode`);
      }
    }
    throw new Error(`run of ${id} did not finish within ${MAX_ITERATIONS} executions`);
  }
}
