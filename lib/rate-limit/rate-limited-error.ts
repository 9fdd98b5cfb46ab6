import { AppError } from "@/lib/api/errors";

/** 429 with a Retry-After of whole seconds (at least 1) and a message that says when. */
export function rateLimitedError(reason: string, msBeforeNext: number): AppError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError("rate_limited", `${reason} Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`, undefined, {
    retryAfterSeconds: seconds,
  });
}
