import type { Db } from "@/lib/db/client";
import { camelRows, firstCamelRow } from "@/lib/db/camel-rows";

// Queries on webhook_deliveries and their attempt log.

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

/** One attempt of a delivery as its owner sees it. */
export type WebhookAttemptRow = {
  attempt: number;
  at: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
};

/** A delivery with its attempts, as its owner sees it (the API's and the settings page's view). */
export type WebhookDeliveryRow = {
  id: string;
  endpointId: string;
  /** The `webhook-id` header: the same on every attempt, so receivers can drop repeats. */
  messageId: string;
  eventType: string;
  projectId: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  payload: unknown;
  attemptLog: WebhookAttemptRow[];
};

/**
 * One delivery row per enabled endpoint of the user for this message; a repeat of the same
 * message adds nothing (unique endpoint + message). Returns the deliveries of this message
 * not yet attempted — the ones that still need sending.
 */
export async function createDeliveries(
  db: Db,
  params: { userId: string; messageId: string; eventType: string; projectId: string | null; payload: Record<string, unknown> },
): Promise<{ deliveryId: string; endpointId: string }[]> {
  await db`
    insert into webhook_deliveries (endpoint_id, user_id, project_id, event_type, message_id, payload)
    select id, user_id, ${params.projectId}, ${params.eventType}, ${params.messageId}, ${db.json(params.payload as never)}
    from webhook_endpoints where user_id = ${params.userId} and enabled
    on conflict (endpoint_id, message_id) do nothing`;
  const rows = await db`
    select id as delivery_id, endpoint_id from webhook_deliveries
    where user_id = ${params.userId} and message_id = ${params.messageId} and status = 'pending' and attempts = 0
    order by created_at, id`;
  return camelRows<{ deliveryId: string; endpointId: string }>(rows);
}

export type DeliveryToAttempt = {
  id: string;
  userId: string;
  messageId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  payload: Record<string, unknown>;
  endpointId: string;
  url: string;
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
};

/** The owner's delivery with what sending it needs, including the endpoint's secret (server only). */
export async function getDeliveryToAttempt(db: Db, params: { deliveryId: string; userId: string }): Promise<DeliveryToAttempt | null> {
  const rows = await db`
    select d.id, d.user_id, d.message_id, d.status, d.attempts, d.next_attempt_at, d.payload,
           e.id as endpoint_id, e.url, e.secret, e.enabled, e.disabled_reason
    from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
    where d.id = ${params.deliveryId} and d.user_id = ${params.userId} and e.user_id = ${params.userId}`;
  return firstCamelRow<DeliveryToAttempt>(rows);
}

export type AttemptRecord = {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  /** The delivery's state after this attempt. */
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
};

/** Logs one attempt and moves the delivery to the state it leads to, in one transaction. */
export async function recordAttempt(db: Db, delivery: { id: string; userId: string }, record: AttemptRecord): Promise<void> {
  await db`
    insert into webhook_delivery_attempts (delivery_id, user_id, attempt, started_at, duration_ms, status_code, error, response_body)
    values (${delivery.id}, ${delivery.userId}, ${record.attempt}, ${record.startedAt}, ${record.durationMs},
            ${record.statusCode}, ${record.error}, ${record.responseBody})`;
  await db`
    update webhook_deliveries set
      status = ${record.status},
      attempts = ${record.attempt},
      last_status_code = ${record.statusCode},
      last_error = ${record.error},
      last_attempt_at = ${record.startedAt},
      next_attempt_at = ${record.nextAttemptAt},
      delivered_at = ${record.status === "delivered" ? new Date(record.startedAt.getTime() + record.durationMs) : null}
    where id = ${delivery.id} and user_id = ${delivery.userId}`;
}

/** Ends the owner's delivery that will not be attempted again, saying why. */
export async function failDelivery(db: Db, params: { deliveryId: string; userId: string; reason: string }): Promise<boolean> {
  const rows = await db`
    update webhook_deliveries set status = 'failed', last_error = ${params.reason}, next_attempt_at = null
    where id = ${params.deliveryId} and user_id = ${params.userId} and status = 'pending'
    returning id`;
  return rows.length === 1;
}

type StoredDelivery = Omit<WebhookDeliveryRow, "createdAt" | "lastAttemptAt" | "nextAttemptAt" | "deliveredAt"> & {
  createdAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
};

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** The newest deliveries to one endpoint of the user, each with its attempts in order. */
export async function listDeliveries(
  db: Db,
  params: { userId: string; endpointId: string; limit: number },
): Promise<WebhookDeliveryRow[]> {
  const rows = await db`
    select d.id, d.endpoint_id, d.message_id, d.event_type, d.project_id, d.status, d.attempts, d.last_status_code,
           d.last_error, d.created_at, d.last_attempt_at, d.next_attempt_at, d.delivered_at, d.payload,
           coalesce((
             select json_agg(json_build_object(
                      'attempt', a.attempt,
                      'at', to_char(a.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                      'durationMs', a.duration_ms, 'statusCode', a.status_code, 'error', a.error,
                      'responseBody', a.response_body)
                    order by a.started_at, a.attempt)
             from webhook_delivery_attempts a where a.delivery_id = d.id and a.user_id = ${params.userId}
           ), '[]'::json) as attempt_log
    from webhook_deliveries d
    where d.endpoint_id = ${params.endpointId} and d.user_id = ${params.userId}
    order by d.created_at desc, d.id desc
    limit ${params.limit}`;
  return camelRows<StoredDelivery>(rows).map((row) => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    lastAttemptAt: iso(row.lastAttemptAt),
    nextAttemptAt: iso(row.nextAttemptAt),
    deliveredAt: iso(row.deliveredAt),
  }));
}

/** Ends the never-attempted deliveries of a message whose sending could not be started. */
export async function failUnsentDeliveries(db: Db, params: { userId: string; messageId: string; reason: string }): Promise<void> {
  await db`
    update webhook_deliveries set status = 'failed', last_error = ${params.reason}
    where user_id = ${params.userId} and message_id = ${params.messageId} and status = 'pending' and attempts = 0`;
}
