// The two ways the SDK tells its executor to wait, read as Inngest reads them.

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const TIME_STRING = /^(?:\d+[wdhms])*$/;

/**
 * How long a `step.sleep` or `step.sleepUntil` op asks to wait, in ms from `now`: the SDK
 * sends a time string ("2h30m10s"; "" for no wait) or an ISO date. Undefined when the value
 * is neither, so the caller can say so instead of guessing.
 */
export function sleepDurationMs(value: unknown, now: number): number | undefined {
  if (typeof value !== "string") return undefined;
  if (TIME_STRING.test(value)) {
    let total = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+)([wdhms])/g)) total += Number(amount) * UNIT_MS[unit!]!;
    return total;
  }
  return untilMs(value, now);
}

/**
 * How long a `RetryAfterError` asks the executor to wait before the next attempt: whole
 * seconds ("30") or an ISO date. Undefined when it is neither.
 */
export function retryAfterMs(value: string, now: number): number | undefined {
  return /^\d+$/.test(value) ? Number(value) * 1000 : untilMs(value, now);
}

function untilMs(iso: string, now: number): number | undefined {
  const at = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
