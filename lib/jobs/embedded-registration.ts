import type { InngestFunction } from "inngest";
import { concurrencyRules, type ConcurrencyRule, type RunEventLike } from "./concurrency";
import { cronSchedule } from "./cron";
import { dataPathFields, readDataPath } from "./event-data-path";

// What the embedded runner knows of a function, read once from its public configuration
// (`fn.id()`, `fn.opts`) when the runner is built. An option the runner cannot honour
// refuses the function there, naming it and the option, so the server does not start
// and then run the function differently from Inngest. The options the runner honours are
// listed; anything else set (today's debounce, throttle, rateLimit, batchEvents, priority,
// idempotency, timeouts, singleton, or whatever a later SDK adds) is refused, and so is a
// field the runner does not read inside a trigger, a cancelOn entry or a concurrency limit.
// tests/unit/jobs/embedded-registration.test.ts lists every option of the pinned SDK's
// InngestFunction.Options, so an SDK that adds or drops one fails its type check.
//
// Step kinds are a different matter, checked when a run plans them (embedded-runner.ts),
// not here: step.waitForEvent, step.invoke or a day-long step.sleep are calls the body
// makes as it runs, not configuration. The SDK learns of a step only when the body reaches
// it, and the source text says nothing reliable either — a helper may make the call, the
// sleep's length may be computed, and a bundler rewrites the text. So the runner fails such
// a run at once, without retries, naming the step kind and saying embedded mode cannot run it.

export class EmbeddedRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddedRegistrationError";
  }
}

type CancelRule = { eventName: string; matches: (run: RunEventLike, cancel: RunEventLike) => boolean };

export type EmbeddedFunction = {
  fn: InngestFunction.Any;
  id: string;
  eventNames: string[];
  cron: string | undefined;
  retries: number;
  concurrency: ConcurrencyRule[];
  cancelOn: CancelRule[];
  hasFailureHandler: boolean;
};

const HONOURED_OPTIONS = new Set([
  "id",
  "name",
  "description",
  "triggers",
  "concurrency",
  "cancelOn",
  "retries",
  "onFailure",
  // Run by the SDK's execution engine itself, which the runner drives.
  "middleware",
  "optimizeParallelism",
  // How often an execution reports to Inngest; the runner's executions report to it alone.
  "checkpointing",
  "experimentalCheckpointing",
]);

const DEFAULT_RETRIES = 3;

function refuse(functionId: string, what: string, why: string): never {
  throw new EmbeddedRegistrationError(
    `embedded mode cannot honour ${what} of function "${functionId}": ${why}. ` +
      `Remove it, or run this function on Inngest (INNGEST_MODE=dev or cloud).`,
  );
}

function eventName(event: unknown): string | undefined {
  if (typeof event === "string") return event;
  if (event && typeof event === "object" && "name" in event && typeof event.name === "string") return event.name;
  return undefined;
}

/** Refuses a field of an option's entry that the runner does not read (one a later SDK may add). */
function refuseUnreadFields(id: string, what: string, entry: unknown, read: readonly string[]): void {
  if (entry === null || typeof entry !== "object") return;
  for (const [field, value] of Object.entries(entry)) {
    if (value !== undefined && !read.includes(field)) refuse(id, `the "${field}" field of ${what}`, "the runner does not implement it");
  }
}

function readTriggers(id: string, triggers: unknown[]): { eventNames: string[]; cron: string | undefined } {
  const eventNames: string[] = [];
  const crons: string[] = [];
  for (const trigger of triggers) {
    // An event type given as the trigger also carries its name, version and schema (the SDK checks the schema).
    refuseUnreadFields(id, "a trigger", trigger, ["event", "if", "cron", "name", "version", "schema"]);
    const t = (trigger ?? {}) as { event?: unknown; cron?: unknown; if?: unknown };
    if (typeof t.cron === "string") {
      crons.push(t.cron);
      continue;
    }
    const name = eventName(t.event);
    if (name === undefined) refuse(id, `the trigger ${JSON.stringify(trigger)}`, "it names neither an event nor a cron schedule");
    if (t.if !== undefined) refuse(id, `the "if" expression of its ${name} trigger`, "the runner does not evaluate trigger filters");
    eventNames.push(name);
  }
  if (crons.length > 1) refuse(id, "more than one cron trigger", "the runner schedules one per function");
  const cron = crons[0];
  if (cron !== undefined) {
    try {
      cronSchedule(cron);
    } catch (error) {
      refuse(id, `the cron trigger "${cron}"`, (error as Error).message);
    }
  }
  return { eventNames, cron };
}

function readCancelOn(id: string, cancelOn: unknown[]): CancelRule[] {
  return cancelOn.map((entry) => {
    refuseUnreadFields(id, "a cancelOn entry", entry, ["event", "if", "match", "timeout"]);
    const rule = (entry ?? {}) as { event?: unknown; match?: unknown; if?: unknown; timeout?: unknown };
    const name = eventName(rule.event);
    if (name === undefined) refuse(id, `the cancelOn entry ${JSON.stringify(entry)}`, "it names no event");
    if (rule.if !== undefined) refuse(id, `the "if" expression of its cancelOn ${name}`, "the runner does not evaluate cancel expressions");
    if (rule.timeout !== undefined) refuse(id, `the timeout of its cancelOn ${name}`, "the runner does not expire cancel rules");
    if (rule.match === undefined) return { eventName: name, matches: () => true };
    const path = typeof rule.match === "string" ? dataPathFields(rule.match, "data") : undefined;
    if (!path) refuse(id, `the cancelOn match ${JSON.stringify(rule.match)}`, "the runner matches data.<field> paths only");
    return { eventName: name, matches: (run, cancel) => readDataPath(run.data, path) === readDataPath(cancel.data, path) };
  });
}

/** The runner's view of `fn`; throws EmbeddedRegistrationError for an option it cannot honour. */
export function registerForEmbedded(fn: InngestFunction.Any): EmbeddedFunction {
  const id = fn.id();
  const opts = fn.opts as InngestFunction.Options & Record<string, unknown>;
  for (const [option, value] of Object.entries(opts)) {
    if (value !== undefined && !HONOURED_OPTIONS.has(option)) refuse(id, `the "${option}" option`, "the runner does not implement it");
  }
  const limits = opts.concurrency === undefined ? [] : Array.isArray(opts.concurrency) ? opts.concurrency : [opts.concurrency];
  for (const limit of limits) refuseUnreadFields(id, "a concurrency limit", limit, ["limit", "key", "scope"]);
  let concurrency: ConcurrencyRule[];
  try {
    concurrency = concurrencyRules(id, opts.concurrency);
  } catch (error) {
    throw new EmbeddedRegistrationError((error as Error).message);
  }
  return {
    fn,
    id,
    ...readTriggers(id, opts.triggers ?? []),
    retries: opts.retries ?? DEFAULT_RETRIES,
    concurrency,
    cancelOn: readCancelOn(id, opts.cancelOn ?? []),
    hasFailureHandler: typeof opts.onFailure === "function",
  };
}
