import { describe, expect, it } from "vitest";
import { longestReconcileGapMs, uploadDeadline } from "@/lib/uploads/upload-deadline";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const now = new Date("2026-12-06T10:02:30Z");

describe("an upload's deadline", () => {
  it("falls one reconcile gap before the expiry, so the sweep that ends an abandoned upload comes within UPLOAD_EXPIRY_HOURS", () => {
    const deadline = uploadDeadline(now, { UPLOAD_EXPIRY_HOURS: 24, RECONCILE_CRON: "*/5 * * * *" });
    expect(deadline.getTime() - now.getTime()).toBe(24 * HOUR - 5 * MINUTE);
  });

  it("measures the longest gap of an uneven schedule", () => {
    // Every 10 minutes during the 09:00 hour only: the long wait is from 09:50 to the next 09:00.
    expect(longestReconcileGapMs("*/10 9 * * *", now)).toBe(23 * HOUR + 10 * MINUTE);
    expect(longestReconcileGapMs("0 * * * *", now)).toBe(HOUR);
  });

  it("keeps at least half the expiry for the upload when the schedule is as coarse as the expiry", () => {
    const deadline = uploadDeadline(now, { UPLOAD_EXPIRY_HOURS: 1, RECONCILE_CRON: "0 */2 * * *" });
    expect(deadline.getTime() - now.getTime()).toBe(30 * MINUTE);
  });
});
