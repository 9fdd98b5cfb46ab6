import { StepOpCode } from "inngest/types";
import { sleepDurationMs } from "./durations";
import type { StepOp } from "./inngest-execution";

// The steps embedded mode cannot run as the Inngest server would (see embedded-runner.ts):
// each is refused as a run plans it, with a message naming the step kind.
/** The step tool a planned op comes from, as the function's author wrote it. */
function stepKind(step: StepOp): string {
  switch (step.op) {
    case StepOpCode.WaitForEvent:
      return "step.waitForEvent";
    case StepOpCode.WaitForSignal:
      return "step.waitForSignal";
    case StepOpCode.InvokeFunction:
      return "step.invoke";
    case StepOpCode.AiGateway:
      return "step.ai.infer";
    case StepOpCode.Gateway:
      return "step.fetch";
    case StepOpCode.Sleep:
      // step.sleepUntil plans an ISO date, step.sleep a duration.
      return typeof step.name === "string" && /^\d{4}-/.test(step.name) ? "step.sleepUntil" : "step.sleep";
    default:
      return `a "${step.op}" step`;
  }
}

/** What only the Inngest server can do for each step kind the runner refuses. */
const SERVER_ONLY: Partial<Record<StepOpCode, string>> = {
  [StepOpCode.WaitForEvent]: "nothing in this process would deliver what it waits for",
  [StepOpCode.WaitForSignal]: "nothing in this process would deliver what it waits for",
  [StepOpCode.InvokeFunction]: "the Inngest server starts the invoked function and hands back its result",
  [StepOpCode.AiGateway]: "the Inngest server makes the request on the function's behalf",
  [StepOpCode.Gateway]: "the Inngest server makes the request on the function's behalf",
};

/** Why embedded mode cannot run this planned op, naming the step kind; undefined when it can. */
export function unsupportedStep(step: StepOp, functionId: string, maxSleepMs: number): string | undefined {
  if (step.op === StepOpCode.StepRun) return undefined;
  let why: string;
  if (step.op === StepOpCode.Sleep) {
    const ms = sleepDurationMs(step.name, Date.now());
    if (ms !== undefined && ms <= maxSleepMs) return undefined;
    why =
      ms === undefined
        ? `the runner cannot read its time ${JSON.stringify(step.name)}`
        : `a sleep is held in this process's memory, for at most ${maxSleepMs / 60_000} min, and this one asks for ${Math.ceil(ms / 60_000)} min`;
  } else {
    why = SERVER_ONLY[step.op] ?? "the runner does not implement it";
  }
  return (
    `embedded mode cannot run ${stepKind(step)} (step "${step.displayName ?? step.id}" of function "${functionId}"): ${why}. ` +
    `Run this function on Inngest (INNGEST_MODE=dev or cloud).`
  );
}
