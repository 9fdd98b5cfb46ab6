import { describe, expect, it } from "vitest";
import { cronSchedule } from "@/lib/jobs/cron";

const at = (iso: string) => new Date(iso);
const cronMatcher = (expression: string) => {
  const schedule = cronSchedule(expression);
  return (when: Date) => schedule.match(when);
};

describe("cron expressions in embedded mode", () => {
  it("matches every fifth minute for the reconciler's default schedule", () => {
    const every5 = cronMatcher("*/5 * * * *");
    expect(every5(at("2026-11-22T10:00:00Z"))).toBe(true);
    expect(every5(at("2026-11-22T10:35:00Z"))).toBe(true);
    expect(every5(at("2026-11-22T10:36:00Z"))).toBe(false);
  });

  it("supports lists, ranges and stepped ranges", () => {
    const m = cronMatcher("0,30 9-17/4 * * 1-5");
    expect(m(at("2026-11-23T09:30:00Z"))).toBe(true); // Monday
    expect(m(at("2026-11-23T13:00:00Z"))).toBe(true);
    expect(m(at("2026-11-23T11:00:00Z"))).toBe(false);
    expect(m(at("2026-11-22T09:30:00Z"))).toBe(false); // Sunday
  });

  it("treats 7 as Sunday and matches either day field when both are set", () => {
    expect(cronMatcher("0 0 * * 7")(at("2026-11-22T00:00:00Z"))).toBe(true);
    const either = cronMatcher("0 0 1 * 1");
    expect(either(at("2026-12-01T00:00:00Z"))).toBe(true); // the 1st, a Tuesday
    expect(either(at("2026-11-23T00:00:00Z"))).toBe(true); // a Monday
    expect(either(at("2026-11-24T00:00:00Z"))).toBe(false);
  });

  it("reads times in UTC unless the expression names a time zone, as Inngest does", () => {
    expect(cronSchedule("0 9 * * *").nextRun(at("2026-11-22T08:00:00Z"))).toEqual(at("2026-11-22T09:00:00Z"));
    // 09:00 in Paris is 08:00 UTC in November.
    expect(cronSchedule("TZ=Europe/Paris 0 9 * * *").nextRun(at("2026-11-22T07:00:00Z"))).toEqual(at("2026-11-22T08:00:00Z"));
  });

  it("refuses malformed expressions", () => {
    expect(() => cronMatcher("* * * *")).toThrow(/5 fields/);
    expect(() => cronMatcher("61 * * * *")).toThrow(/invalid cron field/);
    expect(() => cronMatcher("*/0 * * * *")).toThrow(/invalid cron field/);
  });
});
