import type { Sql } from "@/lib/db/client";
import { env } from "@/lib/env";
import { UrlRefusedError } from "@/lib/net/ssrf-guard";
import { log } from "@/lib/log";
import { RequestFailedError } from "@/lib/net/guarded-request";
import { failDelivery, getDeliveryToAttempt, recordAttempt, type DeliveryToAttempt } from "@/lib/db/queries/webhook-deliveries";
import { disableEndpoint } from "@/lib/db/queries/webhook-endpoints";
import { guardedPost, type PostResponse } from "./guarded-post";
import { retryDelayMs } from "./retry-schedule";
import { signWebhook } from "./sign";
import { formatDateTime } from "@/lib/format";

export type AttemptOutcome =
  | { done: true; result: "delivered" | "gone" | "gave_up" | "endpoint_disabled" | "already_settled" | "missing"; attempts: number }
  | { done: false; nextAttemptAt: string; attempts: number };

export type AttemptDeps = { now: () => Date; post: typeof guardedPost };
const defaultDeps: AttemptDeps = { now: () => new Date(), post: guardedPost };

type Answer = { statusCode: number | null; error: string | null; responseBody: string | null };

function describeResponse(response: PostResponse): string | null {
  if (response.status >= 200 && response.status < 300) return null;
  if (response.status >= 300 && response.status < 400) {
    return `HTTP ${response.status}: redirects are not followed${response.location ? ` (to ${response.location.slice(0, 200)})` : ""}; register the final URL.`;
  }
  return `HTTP ${response.status}`;
}

async function send(delivery: DeliveryToAttempt, deps: AttemptDeps, startedAt: Date): Promise<Answer> {
  const body = JSON.stringify(delivery.payload);
  const headers = signWebhook({
    secret: delivery.secret,
    messageId: delivery.messageId,
    timestamp: Math.floor(startedAt.getTime() / 1000),
    body,
  });
  try {
    const response = await deps.post(delivery.url, { headers, body, timeoutMs: env().WEBHOOK_TIMEOUT_SECONDS * 1000 });
    return { statusCode: response.status, error: describeResponse(response), responseBody: response.body || null };
  } catch (error) {
    if (error instanceof UrlRefusedError) return { statusCode: null, error: `Not sent: ${error.message}`, responseBody: null };
    if (error instanceof RequestFailedError) return { statusCode: null, error: error.message, responseBody: null };
    throw error;
  }
}

/** What a run that finds this attempt already recorded (its step retried) should do next. */
function outcomeOfRecorded(delivery: DeliveryToAttempt): AttemptOutcome {
  if (delivery.status === "pending" && delivery.nextAttemptAt) {
    return { done: false, nextAttemptAt: delivery.nextAttemptAt.toISOString(), attempts: delivery.attempts };
  }
  return { done: true, result: "already_settled", attempts: delivery.attempts };
}

/**
 * Attempt `attempt` (1-based) of one delivery: checks the URL through the SSRF guard, signs
 * the body for this moment, POSTs it and logs the answer. 2xx delivers; 410 Gone disables
 * the endpoint (with the reason) and stops; anything else — another status, a timeout, a
 * refused address — schedules the next attempt, until the last one gives up.
 */
export async function attemptDelivery(
  db: Sql,
  params: { deliveryId: string; userId: string; attempt: number },
  deps: AttemptDeps = defaultDeps,
): Promise<AttemptOutcome> {
  const delivery = await getDeliveryToAttempt(db, params);
  if (!delivery) return { done: true, result: "missing", attempts: params.attempt - 1 };
  if (delivery.attempts >= params.attempt || delivery.status !== "pending") return outcomeOfRecorded(delivery);
  if (!delivery.enabled) {
    await failDelivery(db, { deliveryId: delivery.id, userId: delivery.userId, reason: "Not sent: the endpoint was switched off." });
    return { done: true, result: "endpoint_disabled", attempts: delivery.attempts };
  }

  const startedAt = deps.now();
  const answer = await send(delivery, deps, startedAt);
  const durationMs = Math.max(0, deps.now().getTime() - startedAt.getTime());
  const delivered = answer.statusCode !== null && answer.error === null;
  const gone = answer.statusCode === 410;
  const delay = delivered || gone ? null : retryDelayMs(params.attempt);
  const nextAttemptAt = delay === null ? null : new Date(startedAt.getTime() + durationMs + delay);
  const status = delivered ? "delivered" : nextAttemptAt ? "pending" : "failed";

  await db.begin(async (tx) => {
    await recordAttempt(tx, delivery, { attempt: params.attempt, startedAt, durationMs, ...answer, status, nextAttemptAt });
    if (gone) {
      await disableEndpoint(tx, {
        endpointId: delivery.endpointId,
        userId: delivery.userId,
        reason: `The endpoint answered 410 Gone on ${formatDateTime(startedAt, { seconds: true })}, which means it wants no more webhooks. Switch it on again once it accepts them.`,
      });
    }
  });
  log.info("webhook_attempt", {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    attempt: params.attempt,
    statusCode: answer.statusCode,
    error: answer.error,
    outcome: status,
  });

  if (delivered) return { done: true, result: "delivered", attempts: params.attempt };
  if (gone) return { done: true, result: "gone", attempts: params.attempt };
  if (!nextAttemptAt) return { done: true, result: "gave_up", attempts: params.attempt };
  return { done: false, nextAttemptAt: nextAttemptAt.toISOString(), attempts: params.attempt };
}
