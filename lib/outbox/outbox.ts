import type { Db } from "@/lib/db/client";
import { db as pool } from "@/lib/db/client";
import { insertOutboxEvent, markOutboxEventsSent, recordOutboxSendFailure } from "@/lib/db/queries/outbox";
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
  await insertOutboxEvent(tx, {
    eventName: params.event.name,
    eventId: params.event.id,
    payload: params.event.data,
    userId: params.userId ?? null,
    projectId: params.projectId ?? null,
  });
}

/** Sends one outbox event and marks it sent. Returns false (and records why) when the send fails. */
export async function deliverOutboxEvent(event: OutboxEvent, sender: typeof sendEvent = sendEvent): Promise<boolean> {
  try {
    await sender(event);
  } catch (error) {
    await recordOutboxSendFailure(pool(), { eventId: event.id, error: error instanceof Error ? error.message : String(error) });
    log.warn("outbox_send_failed", { eventId: event.id, eventName: event.name, error });
    return false;
  }
  await markOutboxEventsSent(pool(), [event.id]);
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
  await markOutboxEventsSent(pool(), ids);
  return new Set(ids);
}
