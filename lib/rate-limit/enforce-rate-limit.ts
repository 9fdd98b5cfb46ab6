import { RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { postgresLimiter } from "./postgres-limiter";
import { rateLimitedError } from "./rate-limited-error";

const limits = {
  signIn: { setting: "RATE_LIMIT_SIGN_IN", what: "sign-in attempts" },
  uploads: { setting: "RATE_LIMIT_UPLOADS", what: "new uploads" },
  imports: { setting: "RATE_LIMIT_IMPORTS", what: "imports" },
  webhookEndpoints: { setting: "RATE_LIMIT_WEBHOOK_ENDPOINTS", what: "webhook registrations" },
  retries: { setting: "RATE_LIMIT_RETRIES", what: "retries" },
} as const;

export type RateLimitName = keyof typeof limits;

function describeWindow(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return seconds === 1 ? "second" : `${seconds} seconds`;
}

/**
 * Counts one request against the named limit for `key` (a person's id, or for sign-in
 * the client's address) and throws 429 rate_limited with Retry-After once the limit for
 * the current window is used up. The counters are shared by every server instance.
 */
export async function enforceRateLimit(name: RateLimitName, key: string): Promise<void> {
  const { setting, what } = limits[name];
  const { points, windowSeconds } = env()[setting];
  try {
    await postgresLimiter(name, points, windowSeconds).consume(key);
  } catch (thrown) {
    if (!(thrown instanceof RateLimiterRes)) throw thrown;
    throw rateLimitedError(`Too many ${what}: at most ${points} per ${describeWindow(windowSeconds)}.`, thrown.msBeforeNext);
  }
}
