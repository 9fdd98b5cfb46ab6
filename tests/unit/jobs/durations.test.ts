import { describe, expect, it } from "vitest";
import { retryAfterMs, sleepDurationMs } from "@/lib/jobs/durations";

const now = Date.parse("2026-12-05T12:00:00Z");

describe("wait times the SDK hands its executor", () => {
  it("reads a sleep's time string, compound ones included, and an ISO date as the time until it", () => {
    expect(sleepDurationMs("5s", now)).toBe(5_000);
    expect(sleepDurationMs("1h30m", now)).toBe(90 * 60_000);
    expect(sleepDurationMs("1w2d", now)).toBe(9 * 86_400_000);
    expect(sleepDurationMs("", now)).toBe(0);
    expect(sleepDurationMs("2026-12-05T12:00:30.000Z", now)).toBe(30_000);
    expect(sleepDurationMs("2026-12-05T11:00:00.000Z", now)).toBe(0);
  });

  it("says it cannot read a sleep that is neither, instead of guessing", () => {
    expect(sleepDurationMs("soon", now)).toBeUndefined();
    expect(sleepDurationMs("30", now)).toBeUndefined();
    expect(sleepDurationMs(undefined, now)).toBeUndefined();
  });

  it("reads a RetryAfterError's wait as whole seconds or an ISO date", () => {
    expect(retryAfterMs("30", now)).toBe(30_000);
    expect(retryAfterMs("2026-12-05T12:01:00.000Z", now)).toBe(60_000);
    expect(retryAfterMs("later", now)).toBeUndefined();
  });
});
