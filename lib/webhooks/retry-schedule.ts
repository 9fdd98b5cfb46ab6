import { env } from "@/lib/env";

// Attempt n+1 waits RETRY_MULTIPLIERS[n-1] × WEBHOOK_RETRY_BASE_SECONDS after attempt n:
// with the default 5 s that is 5 s, 1 min, 5 min, 30 min, 1 h, 2 h and 4 h — eight
// attempts over about 7.6 hours, enough to ride out a receiver's deploy or outage.
const RETRY_MULTIPLIERS = [1, 12, 60, 360, 720, 1440, 2880] as const;

export const MAX_DELIVERY_ATTEMPTS = RETRY_MULTIPLIERS.length + 1;

/** How long to wait after failed attempt `attempt` (1-based), or null when it was the last. */
export function retryDelayMs(attempt: number, baseSeconds = env().WEBHOOK_RETRY_BASE_SECONDS): number | null {
  const multiplier = RETRY_MULTIPLIERS[attempt - 1];
  return multiplier === undefined ? null : Math.round(multiplier * baseSeconds * 1000);
}
