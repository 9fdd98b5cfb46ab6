import type { Db } from "@/lib/db/client";

/** Records a Stripe event as applied; false when it already was (a redelivery). */
export async function recordStripeEvent(tx: Db, event: { id: string; type: string }): Promise<boolean> {
  const rows = await tx`
    insert into stripe_events (id, type) values (${event.id}, ${event.type})
    on conflict (id) do nothing returning id`;
  return rows.length === 1;
}
