import type postgres from "postgres";
import type { Db } from "@/lib/db/client";
import { camelRow } from "@/lib/db/camel-rows";

// Queries on webhook_endpoints. Each takes the owner and filters by it, so they are safe
// on the server's connection and under a user's row-level security alike. None of them
// returns the secret: only the delivery side reads it (webhook-deliveries.ts).

/** An endpoint as its owner sees it (the API's and the settings page's view): never the secret. */
export type WebhookEndpointRow = {
  id: string;
  url: string;
  enabled: boolean;
  /** Why the endpoint stopped receiving deliveries (e.g. it answered 410 Gone). */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
};

type StoredEndpoint = Omit<WebhookEndpointRow, "createdAt" | "updatedAt"> & { createdAt: Date; updatedAt: Date };

const endpointColumns = (db: Db) => db`id, url, enabled, disabled_reason, created_at, updated_at`;

const toRow = (dbRow: postgres.Row): WebhookEndpointRow => {
  const row = camelRow<StoredEndpoint>(dbRow);
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
};

export async function listEndpoints(db: Db, userId: string): Promise<WebhookEndpointRow[]> {
  const rows = await db`
    select ${endpointColumns(db)}
    from webhook_endpoints where user_id = ${userId}
    order by created_at, id`;
  return rows.map(toRow);
}

export async function getEndpoint(db: Db, params: { userId: string; endpointId: string }): Promise<WebhookEndpointRow | null> {
  const [row] = await db`
    select ${endpointColumns(db)}
    from webhook_endpoints where id = ${params.endpointId} and user_id = ${params.userId}`;
  return row ? toRow(row) : null;
}

export async function countEndpoints(db: Db, userId: string): Promise<number> {
  const [row] = await db<{ count: number }[]>`select count(*)::int as count from webhook_endpoints where user_id = ${userId}`;
  return row!.count;
}

/** Null when the user already has an endpoint with this URL. */
export async function insertEndpoint(
  db: Db,
  params: { userId: string; url: string; secret: string },
): Promise<WebhookEndpointRow | null> {
  const [row] = await db`
    insert into webhook_endpoints (user_id, url, secret)
    values (${params.userId}, ${params.url}, ${params.secret})
    on conflict (user_id, url) do nothing
    returning ${endpointColumns(db)}`;
  return row ? toRow(row) : null;
}

export async function deleteEndpoint(db: Db, params: { userId: string; endpointId: string }): Promise<boolean> {
  const rows = await db`delete from webhook_endpoints where id = ${params.endpointId} and user_id = ${params.userId} returning id`;
  return rows.length === 1;
}

export async function setEndpointEnabled(
  db: Db,
  params: { userId: string; endpointId: string; enabled: boolean; disabledReason: string | null },
): Promise<WebhookEndpointRow | null> {
  const [row] = await db`
    update webhook_endpoints set enabled = ${params.enabled}, disabled_reason = ${params.disabledReason}
    where id = ${params.endpointId} and user_id = ${params.userId}
    returning ${endpointColumns(db)}`;
  return row ? toRow(row) : null;
}

/** Switches the owner's endpoint off after a 410, unless someone already did. */
export async function disableEndpoint(db: Db, params: { endpointId: string; userId: string; reason: string }): Promise<void> {
  await db`
    update webhook_endpoints set enabled = false, disabled_reason = ${params.reason}
    where id = ${params.endpointId} and user_id = ${params.userId} and enabled`;
}
