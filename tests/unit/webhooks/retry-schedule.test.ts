import { describe, expect, it } from "vitest";
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from "@/lib/webhooks/retry-schedule";

describe("webhook retry schedule", () => {
  const delays = Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1, 5)!);

  it("makes eight attempts, waiting 5 s, 1 min, 5 min, 30 min, 1 h, 2 h and 4 h between them by default", () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
    expect(delays.map((ms) => ms / 1000)).toEqual([5, 60, 300, 1800, 3600, 7200, 14400]);
  });

  it("spans more than six hours from the first attempt to the last", () => {
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(6 * 3600 * 1000);
  });

  it("waits longer after every failure", () => {
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
  });

  it("has no wait after the last attempt", () => {
    expect(retryDelayMs(MAX_DELIVERY_ATTEMPTS, 5)).toBeNull();
  });

  it("scales with WEBHOOK_RETRY_BASE_SECONDS, so tests can run the schedule in milliseconds", () => {
    expect(retryDelayMs(2, 0.001)).toBe(12);
  });
});
