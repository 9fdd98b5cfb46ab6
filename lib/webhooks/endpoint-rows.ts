import type { Db } from "@/lib/db/client";
import type { WebhookEndpointView } from "./views";

// Queries on webhook_endpoints. Each takes the owner and filters by it, so they are safe
// on the server's connection and under a user's row-level security alike. None of them
// returns the secret: only the delivery side reads it (delivery-rows.ts).

type EndpointRow = Omit<WebhookEndpointView, "createdAt" | "updatedAt"> & { createdAt: Date; updatedAt: Date };

const toView = (row: EndpointRow): WebhookEndpointView => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export async function listEndpoints(db: Db, userId: string): Promise<WebhookEndpointView[]> {
  const rows = await db<EndpointRow[]>`
    select id, url, enabled, disabled_reason as "disabledReason", created_at as "createdAt", updated_at as "updatedAt"
    from webhook_endpoints where user_id = ${userId}
    order by created_at, id`;
  return rows.map(toView);
}

export async function getEndpoint(db: Db, params: { userId: string; endpointId: string }): Promise<WebhookEndpointView | null> {
  const [row] = await db<EndpointRow[]>`
    select id, url, enabled, disabled_reason as "disabledReason", created_at as "createdAt", updated_at as "updatedAt"
    from webhook_endpoints where id = ${params.endpointId} and user_id = ${params.userId}`;
  return row ? toView(row) : null;
}

export async function countEndpoints(db: Db, userId: string): Promise<number> {
  const [row] = await db<{ count: number }[]>`select count(*)::int as count from webhook_endpoints where user_id = ${userId}`;
  return row!.count;
}

/** Null when the user already has an endpoint with this URL. */
export async function insertEndpoint(
  db: Db,
  params: { userId: string; url: string; secret: string },
): Promise<WebhookEndpointView | null> {
  const [row] = await db<EndpointRow[]>`
    insert into webhook_endpoints (user_id, url, secret)
    values (${params.userId}, ${params.url}, ${params.secret})
    on conflict (user_id, url) do nothing
    returning id, url, enabled, disabled_reason as "disabledReason", created_at as "createdAt", updated_at as "updatedAt"`;
  return row ? toView(row) : null;
}

export async function deleteEndpoint(db: Db, params: { userId: string; endpointId: string }): Promise<boolean> {
  const rows = await db`delete from webhook_endpoints where id = ${params.endpointId} and user_id = ${params.userId} returning id`;
  return rows.length === 1;
}

export async function setEndpointEnabled(
  db: Db,
  params: { userId: string; endpointId: string; enabled: boolean; disabledReason: string | null },
): Promise<WebhookEndpointView | null> {
  const [row] = await db<EndpointRow[]>`
    update webhook_endpoints set enabled = ${params.enabled}, disabled_reason = ${params.disabledReason}
    where id = ${params.endpointId} and user_id = ${params.userId}
    returning id, url, enabled, disabled_reason as "disabledReason", created_at as "createdAt", updated_at as "updatedAt"`;
  return row ? toView(row) : null;
}
