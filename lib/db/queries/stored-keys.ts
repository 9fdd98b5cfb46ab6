import type { TransactionSql } from "postgres";
import type { Db, Sql } from "@/lib/db/client";
import { camelRows } from "@/lib/db/camel-rows";

// Server-only tables (see the server_recorded_object_keys migration): shared-output ids
// and the keys of deleted projects. Only the server's own connection can read or write them.

/** Of `ids`, those recorded as shared outputs of this owner. */
export async function listOwnedSharedIds(db: Db, params: { userId: string; ids: string[] }): Promise<string[]> {
  if (params.ids.length === 0) return [];
  const rows = await db<{ id: string }[]>`
    select id from shared_outputs where user_id = ${params.userId} and id = any(${params.ids})`;
  return rows.map((r) => r.id);
}

/**
 * The shared-output id of each clip position, recorded before anything is stored under it:
 * an id recorded by an earlier attempt is reused, a new one is drawn otherwise. Null when
 * the project is gone (the row is locked while the ids are recorded, so a deletion either
 * comes first and records nothing, or waits and then finds them).
 */
export async function recordSharedOutputIds(
  db: Db,
  params: { userId: string; projectId: string; positions: number[]; newId: () => string },
): Promise<Map<number, string> | null> {
  const inTransaction = <T>(work: (tx: TransactionSql) => Promise<T>): Promise<T> =>
    ("savepoint" in db ? (db as TransactionSql).savepoint(work) : (db as Sql).begin(work)) as Promise<T>;
  const recorded = await inTransaction(async (tx) => {
    const [project] = await tx`
      select 1 from projects where id = ${params.projectId} and user_id = ${params.userId} for key share`;
    if (!project) return null;
    await tx`
      insert into shared_outputs (id, user_id, project_id, position)
      select id, ${params.userId}, ${params.projectId}, position
      from unnest(${params.positions.map(() => params.newId())}::text[], ${params.positions}::smallint[]) as wanted (id, position)
      on conflict (user_id, project_id, position) do nothing`;
    return tx<{ id: string; position: number }[]>`
      select id, position from shared_outputs
      where user_id = ${params.userId} and project_id = ${params.projectId} and position = any(${params.positions})`;
  });
  return recorded && new Map(recorded.map((r) => [r.position, r.id]));
}

export async function listProjectSharedIds(db: Db, params: { userId: string; projectId: string }): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from shared_outputs where user_id = ${params.userId} and project_id = ${params.projectId}`;
  return rows.map((r) => r.id);
}

/** Shared-output ids of the project's clip positions from `fromPosition` on (all of them when omitted). */
export async function listProjectSharedIdsFrom(
  db: Db,
  params: { userId: string; projectId: string; fromPosition: number },
): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from shared_outputs
    where user_id = ${params.userId} and project_id = ${params.projectId} and position >= ${params.fromPosition}`;
  return rows.map((r) => r.id);
}

export async function forgetSharedOutputs(
  db: Db,
  params: { userId: string; projectId: string; fromPosition?: number },
): Promise<void> {
  await db`
    delete from shared_outputs
    where user_id = ${params.userId} and project_id = ${params.projectId} and position >= ${params.fromPosition ?? 0}`;
}

export type DeletedProjectObjects = { id: number; userId: string; keys: string[] };

/** What the database recorded when the project was deleted (several rows if an id was reused). */
export async function listDeletedProjectObjects(db: Db, projectId: string): Promise<DeletedProjectObjects[]> {
  const rows = await db`
    select id, user_id, keys from deleted_project_objects where project_id = ${projectId} order by id`;
  return camelRows<DeletedProjectObjects>(rows);
}

export async function forgetDeletedProjectObjects(db: Db, id: number): Promise<void> {
  await db`delete from deleted_project_objects where id = ${id}`;
}
