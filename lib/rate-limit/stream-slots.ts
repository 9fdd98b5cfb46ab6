import { RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { defaultStreamTiming } from "@/lib/projects/event-stream";
import { postgresLimiter } from "./postgres-limiter";
import { rateLimitedError } from "./rate-limited-error";

// A person's open live-update streams are SSE_STREAMS_PER_USER numbered slots, each a
// one-point counter in the shared store: opening a stream takes the first free slot (the
// library's atomic consume), closing it deletes that slot. A slot is leased for a little
// longer than a stream may live (streams end after their maximum duration and the client
// reconnects), so the slots of a server that died with streams open free themselves.
const LEASE_SECONDS = Math.ceil(defaultStreamTiming.maxDurationMs / 1000) + 60;

/** Takes a stream slot for the person or throws 429 rate_limited; resolves to its release. */
export async function claimStreamSlot(userId: string): Promise<() => Promise<void>> {
  const perUser = env().SSE_STREAMS_PER_USER;
  const slots = postgresLimiter("sse-slot", 1, LEASE_SECONDS);
  let soonestFree = LEASE_SECONDS * 1000;
  for (let slot = 0; slot < perUser; slot++) {
    const key = `${userId}:${slot}`;
    try {
      await slots.consume(key);
    } catch (thrown) {
      if (!(thrown instanceof RateLimiterRes)) throw thrown;
      soonestFree = Math.min(soonestFree, thrown.msBeforeNext);
      continue;
    }
    let released: Promise<void> | undefined;
    return () =>
      (released ??= slots.delete(key).then(
        () => undefined,
        // Not fatal: the lease frees the slot when it ends.
        (error: unknown) => log.warn("stream_slot_release_failed", { error }),
      ));
  }
  throw rateLimitedError(
    `You already have ${perUser} live update streams open (one for each ClipCrafter tab or window). Close one, or wait.`,
    soonestFree,
  );
}

/**
 * Opens a live-update stream in a slot of the person's: `open` is handed the slot's release
 * for when the stream ends, and the slot is released at once if opening fails.
 */
export async function openInStreamSlot<T>(userId: string, open: (release: () => void) => Promise<T> | T): Promise<T> {
  const release = await claimStreamSlot(userId);
  try {
    return await open(() => void release());
  } catch (error) {
    await release();
    throw error;
  }
}
