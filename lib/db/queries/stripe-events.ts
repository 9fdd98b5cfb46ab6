import type { Db } from "@/lib/db/client";

/** Whether the event was applied already (its id is recorded by a committed transaction). */
export async function isStripeEventRecorded(db: Db, eventId: string): Promise<boolean> {
  const rows = await db`select 1 from stripe_events where id = ${eventId}`;
  return rows.length === 1;
}

/** Records a Stripe event as applied; false when it already was (a redelivery). */
export async function recordStripeEvent(tx: Db, event: { id: string; type: string }): Promise<boolean> {
  const rows = await tx`
    insert into stripe_events (id, type) values (${event.id}, ${event.type})
    on conflict (id) do nothing returning id`;
  return rows.length === 1;
}
