import type { Db } from "@/lib/db/client";
import { db as pool } from "@/lib/db/client";
import type { AppEvent } from "@/lib/jobs/events";
import { sendEvent, sendEvents } from "@/lib/jobs/send-event";
import { log } from "@/lib/log";

// Events are written to the outbox in the same transaction as the state change they
// announce, then sent. A failed send leaves the row unsent; the reconciler resends it
// with the same event id, which Inngest deduplicates.

export type OutboxEvent = AppEvent & { id: string };

export async function enqueueEvent(
  tx: Db,
  params: { event: OutboxEvent; userId?: string; projectId?: string },
): Promise<void> {
  await tx`
    insert into outbox (user_id, project_id, event_name, event_id, payload)
    values (${params.userId ?? null}, ${params.projectId ?? null}, ${params.event.name}, ${params.event.id},
            ${tx.json(params.event.data as never)})
    on conflict (event_id) do nothing`;
}

/** Sends one outbox event and marks it sent. Returns false (and records why) when the send fails. */
export async function deliverOutboxEvent(event: OutboxEvent, sender: typeof sendEvent = sendEvent): Promise<boolean> {
  try {
    await sender(event);
  } catch (error) {
    await pool()`
      update outbox set attempts = attempts + 1, last_error = ${error instanceof Error ? error.message : String(error)}
      where event_id = ${event.id} and sent_at is null`;
    log.warn("outbox_send_failed", { eventId: event.id, eventName: event.name, error });
    return false;
  }
  await pool()`update outbox set sent_at = now(), attempts = attempts + 1 where event_id = ${event.id} and sent_at is null`;
  return true;
}

/**
 * Sends outbox events in one batch and marks them sent. When the batch fails, each is sent
 * on its own, so an event that is refused fails alone instead of holding back the rest.
 * Returns the ids that were sent; only those are marked.
 */
export async function deliverOutboxEvents(
  events: OutboxEvent[],
  senders: { sendEvents: typeof sendEvents; send: typeof sendEvent },
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  try {
    await senders.sendEvents(events);
  } catch (error) {
    log.warn("outbox_batch_send_failed", { events: events.length, error });
    const sent = new Set<string>();
    for (const event of events) if (await deliverOutboxEvent(event, senders.send)) sent.add(event.id);
    return sent;
  }
  const ids = events.map((event) => event.id);
  await pool()`update outbox set sent_at = now(), attempts = attempts + 1 where event_id = any(${ids}) and sent_at is null`;
  return new Set(ids);
}

export type UnsentOutboxRow = { eventId: string; eventName: AppEvent["name"]; payload: Record<string, unknown>; createdAt: Date };

export async function listUnsentOutbox(db: Db, params: { olderThan: Date; limit: number }): Promise<UnsentOutboxRow[]> {
  return db<UnsentOutboxRow[]>`
    select event_id as "eventId", event_name as "eventName", payload, created_at as "createdAt"
    from outbox where sent_at is null and created_at < ${params.olderThan}
    order by created_at limit ${params.limit}`;
}
