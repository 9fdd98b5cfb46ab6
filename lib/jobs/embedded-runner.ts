import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { NonRetriableError, type InngestFunction } from "inngest";
import { StepOpCode } from "inngest/types";
import { log } from "@/lib/log";
import { ConcurrencyGate } from "./concurrency";
import { retryAfterMs, sleepDurationMs } from "./durations";
import { registerForEmbedded, type EmbeddedFunction } from "./embedded-registration";
import { executeOnce, type ExecutionResult, type MemoizedStep, type RunEvent, type StepOp } from "./inngest-execution";
import { RunCancelledError, withRunSignal } from "./run-cancellation";
import { unsupportedStep } from "./unsupported-steps";
import { sleepUnlessAborted } from "@/lib/timers";

// Embedded mode: this process plays the part of the Inngest server for functions it
// serves. It drives each registered function through the SDK's own execution engine
// (the one the serve endpoint runs for every request from Inngest), memoising step
// results between calls, retrying failed steps and runs up to the function's `retries`,
// stopping on NonRetriableError, and running `onFailure`.
// It is not a second job system: the Inngest function body is the only definition of
// the work; this only decides who calls it.
//
// What it cannot do as Inngest would, it refuses rather than doing something else: an
// option it does not implement refuses the function when the runner is built
// (./embedded-registration.ts); a step it cannot run (step.waitForEvent, step.invoke, a
// sleep longer than `maxSleepMs`…) fails the run at once, without retries, with a
// NonRetriableError naming the step kind (steps are known only as a run plans them; see
// embedded-registration.ts for why they are not checked at start). The SDK is
// reached through one adapter (./inngest-execution.ts), pinned and contract-tested.
//
// Concurrency limits hold as on Inngest, keyed ones included (./concurrency.ts). A
// cancelled run stops at once, not only between steps: each run has an AbortSignal that
// the code of its step under way sees (./run-cancellation.ts) and aborts on the cancel
// event, so ffmpeg is killed and a download aborted mid-step.

export type RunOutcome =
  | { status: "completed"; runId: string; functionId: string; output: unknown; attempts: number }
  | { status: "failed"; runId: string; functionId: string; error: { name?: string; message?: string }; attempts: number }
  | { status: "cancelled"; runId: string; functionId: string; attempts: number };

export type EmbeddedRunnerOptions = {
  retryDelayMs?: (attempt: number) => number;
  onOutcome?: (outcome: RunOutcome) => void;
  /** The longest step.sleep a run may ask for; a longer one fails the run. */
  maxSleepMs?: number;
};

type ActiveRun = { registration: EmbeddedFunction; event: RunEvent; controller: AbortController };

const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_ITERATIONS = 10_000;
const FAILURE_HANDLER_ATTEMPTS = 8;
// A sleep lives in this process's memory, so a restart loses it; a day covers the webhook
// retry schedule (its longest wait is 4 h by default) while refusing waits that belong on
// Inngest. It also stays far below setTimeout's limit (~24.8 days), past which a timer
// fires at once.
const DEFAULT_MAX_SLEEP_MS = 24 * 60 * 60 * 1000;

// Memoised step data crosses a JSON boundary in Inngest; do the same here so embedded
// runs see exactly the values a cloud run would (Dates become strings, undefined drops).
function viaJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
export class EmbeddedRunner {
  private readonly seenEventIds = new Map<string, number>();
  private readonly inflight = new Set<Promise<RunOutcome>>();
  /** Main runs that a cancel event can reach: from acceptance, waiting for a slot included. */
  private readonly active = new Set<ActiveRun>();
  /** Every run from the moment it is handed over until it ends, waiting for a slot included. */
  private readonly accepted = new Set<{ event: RunEvent }>();
  private readonly gate = new ConcurrencyGate();
  private readonly registrations: EmbeddedFunction[];
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly maxSleepMs: number;

  /**
   * Registers `functions`; throws EmbeddedRegistrationError, naming the function and the
   * option, for one it cannot run as Inngest would (a concurrency key it cannot evaluate, a
   * debounce, a trigger filter…), rather than running it differently.
   */
  constructor(
    functions: InngestFunction.Any[],
    private readonly options: EmbeddedRunnerOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(1000 * 2 ** attempt, 60_000));
    this.maxSleepMs = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
    this.registrations = functions.map(registerForEmbedded);
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
      for (const registration of this.registrations) {
        if (registration.eventNames.includes(event.name)) runs.push(this.track(this.run(registration, event)));
      }
    }
    return { ids, runs };
  }

  /** The functions with a cron trigger and its expression, as registration read them. */
  scheduledFunctions(): { id: string; cron: string }[] {
    return this.registrations.flatMap(({ id, cron }) => (cron === undefined ? [] : [{ id, cron }]));
  }

  /** Runs a function once now, as its cron trigger would; `data` is what the run sees as the event's data. */
  trigger(id: string, data: Record<string, unknown> = {}): Promise<RunOutcome> {
    const registration = this.registrations.find((r) => r.id === id);
    if (!registration) throw new Error(`no function with id ${id}`);
    return this.track(this.run(registration, { name: "inngest/scheduled.timer", data, id: randomUUID(), ts: Date.now() }));
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
      for (const rule of run.registration.cancelOn) {
        if (rule.eventName === event.name && rule.matches(run.event, event)) {
          run.controller.abort(new RunCancelledError(`${event.name} matched a cancelOn rule of ${run.registration.id}`));
        }
      }
    }
  }

  private async run(registration: EmbeddedFunction, event: RunEvent): Promise<RunOutcome> {
    const entry = { event };
    const active: ActiveRun = { registration, event, controller: new AbortController() };
    this.accepted.add(entry);
    this.active.add(active);
    try {
      const outcome = await this.runInSlot(active);
      // Outside the concurrency slot: the failure handler's retries wait on whatever made
      // the run fail (a database that is down), not on the next run.
      if (outcome.status === "failed" && registration.hasFailureHandler) {
        const failureEvent: RunEvent = {
          name: "inngest/function.failed",
          id: randomUUID(),
          ts: Date.now(),
          data: { error: outcome.error, event, function_id: registration.id, run_id: outcome.runId },
        };
        const handled = await this.execute(failureEvent, "failure", { registration, event: failureEvent, controller: new AbortController() });
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
    const { registration, event } = active;
    const release = await this.gate.acquire(registration.concurrency, event, active.controller.signal);
    if (!release) return { status: "cancelled", runId: randomUUID(), functionId: registration.id, attempts: 0 };
    try {
      const outcome = await this.execute(event, "main", active);
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

  private async execute(event: RunEvent, handlerKind: "main" | "failure", active: ActiveRun): Promise<RunOutcome> {
    const { fn, id } = active.registration;
    const runId = randomUUID();
    // A failure handler records how the run ended; like Inngest, keep trying it (about two
    // minutes with the default delays), so an outage that failed the run does not also
    // leave the outcome unrecorded.
    const maxAttempts = handlerKind === "failure" ? FAILURE_HANDLER_ATTEMPTS : active.registration.retries + 1;
    const stepState: Record<string, MemoizedStep> = {};
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
      await sleep(typeof retriable === "string" ? (retryAfterMs(retriable, Date.now()) ?? this.retryDelayMs(attempt)) : this.retryDelayMs(attempt));
      attempt++;
      totalAttempts++;
      return undefined;
    };

    const start = (requested: string | undefined): Promise<ExecutionResult> =>
      withRunSignal(active.controller.signal, () =>
        executeOnce(fn, {
          runId,
          event,
          attempt,
          maxAttempts,
          stepState,
          stepCompletionOrder: completionOrder,
          requestedRunStep: requested,
          handlerKind,
        }),
      );

    const record = (step: StepOp) => {
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
            const unsupported = unsupportedStep(step, id, this.maxSleepMs);
            if (unsupported) {
              // No retry would run it either: the run fails at once, as a NonRetriableError does.
              log.error("embedded_step_unsupported", { functionId: id, runId, op: step.op, message: unsupported });
              return { status: "failed", runId, functionId: id, error: new NonRetriableError(unsupported), attempts: totalAttempts };
            }
            if (step.op === StepOpCode.Sleep) await sleepUnlessAborted(sleepDurationMs(step.name, Date.now())!, active.controller.signal);
            if (active.controller.signal.aborted) return { status: "cancelled", runId, functionId: id, attempts: totalAttempts };
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
