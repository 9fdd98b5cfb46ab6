import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { asUser } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { testUser, type TestUser } from "../support/users";

// What a browser holding the anon key can do through Supabase's Data API is what the
// `authenticated` (signed in) and `anon` roles may do in Postgres. These tests take the
// tables, sequences and functions of `public` from the catalog, so whatever a later
// migration adds is held to the same rule: people read their own rows and rename their
// projects; every other write is refused.

type Table = { name: string; qualified: string; kind: string; columns: Column[]; ownerColumn: string | null };
type Column = { name: string; quoted: string; writableOnlyAsDefault: boolean };

const tables: Table[] = await db()<Omit<Table, "ownerColumn">[]>`
  select c.relname as name, format('%I.%I', n.nspname, c.relname) as qualified, c.relkind as kind,
         json_agg(json_build_object(
           'name', a.attname,
           'quoted', quote_ident(a.attname),
           'writableOnlyAsDefault', a.attidentity = 'a' or a.attgenerated <> ''
         ) order by a.attnum) as columns
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
  group by c.oid, c.relname, c.relkind, n.nspname
  order by c.relname`.then((rows) =>
  rows.map((t) => ({
    ...t,
    ownerColumn: t.columns.some((c) => c.name === "user_id") ? "user_id" : t.name === "profiles" ? "id" : null,
  })),
);

/** What a statement did: refused with a Postgres error, or the number of rows it touched. */
type Outcome = { refused: true; code: string; message: string } | { refused: false; count: number };

async function outcome(run: () => Promise<postgres.RowList<postgres.Row[]>>): Promise<Outcome> {
  try {
    const rows = await run();
    return { refused: false, count: rows.count };
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (!e.code) throw error;
    return { refused: true, code: e.code, message: e.message };
  }
}

/** Refused for lack of a privilege on the table (42501 is also row-level security's code; the message tells them apart). */
function isPermissionDenied(result: Outcome, object: string): boolean {
  return result.refused && result.code === "42501" && result.message.startsWith(`permission denied for ${object}`);
}

type Run = <T>(work: (tx: postgres.TransactionSql) => Promise<T>) => Promise<T>;

const asAnon: Run = (work) =>
  db().begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', '{"role":"anon"}', true), set_config('role', 'anon', true)`;
    return work(tx);
  }) as never;

const ownerFilter = (table: Table, userId: string) => (table.ownerColumn ? `where ${table.ownerColumn} = '${userId}'` : "");

describe("database privileges of people (Supabase's authenticated and anon roles)", () => {
  const owner = testUser("privileges-owner");
  const other = testUser("privileges-other");
  let projectId: string;
  let uploadId: string;
  let endpointId: string;
  let otherProjectKey: string;
  const asOwner: Run = (work) => asUser(owner.claims, work);

  beforeAll(async () => {
    const sql = db();
    // One row of the owner's in every table, written by the server, so each refusal below is
    // a refusal to touch something that exists.
    otherProjectKey = `projects/${other.id}/${randomUUID()}/web.mp4`;
    const [project] = await sql<{ id: string }[]>`
      insert into projects (user_id, title, source_type, status, playback_key)
      values (${owner.id}, 'mine.mp4', 'upload', 'ready', ${`projects/${owner.id}/p/web.mp4`}) returning id`;
    projectId = project!.id;
    uploadId = randomUUID();
    await sql`
      insert into uploads (id, project_id, user_id, key, filename, content_type, size, method, storage_upload_id,
                           part_size, part_count, expires_at)
      values (${uploadId}, ${projectId}, ${owner.id}, ${`uploads/${owner.id}/${uploadId}/mine.mp4`}, 'mine.mp4',
              'video/mp4', 20000000, 'multipart', 'storage-id', 16777216, 2, now() + interval '1 day')`;
    await sql`insert into upload_parts (upload_id, user_id, part_number, etag, size) values (${uploadId}, ${owner.id}, 1, '"e"', 16777216)`;
    await sql`insert into project_events (project_id, user_id, kind, message) values (${projectId}, ${owner.id}, 'ready', 'Ready.')`;
    await sql`
      insert into outbox (user_id, project_id, event_name, event_id, payload)
      values (${owner.id}, ${projectId}, 'video/process', ${`privileges-${randomUUID()}`}, '{}')`;
    await sql`
      insert into clips (project_id, user_id, position, start_seconds, end_seconds, key, thumbnail_key, share_token)
      values (${projectId}, ${owner.id}, 0, 1, 5, 'k', 't', ${randomUUID().replaceAll("-", "")})`;
    await sql`insert into usage_events (user_id, project_id) values (${owner.id}, ${projectId})`;
    await sql`
      insert into subscriptions (user_id, stripe_customer_id, plan, status, last_event_at)
      values (${owner.id}, ${`cus_${randomUUID()}`}, 'free', 'active', now())`;
    await sql`insert into stripe_events (id, type) values (${`evt_${randomUUID()}`}, 'customer.created')`;
    const [endpoint] = await sql<{ id: string }[]>`
      insert into webhook_endpoints (user_id, url, secret) values (${owner.id}, 'https://hooks.example.com/in', 'whsec_x')
      returning id`;
    endpointId = endpoint!.id;
    const [delivery] = await sql<{ id: string }[]>`
      insert into webhook_deliveries (endpoint_id, user_id, project_id, event_type, payload, message_id)
      values (${endpointId}, ${owner.id}, ${projectId}, 'project.ready', '{}', ${randomUUID()}) returning id`;
    await sql`
      insert into webhook_delivery_attempts (delivery_id, user_id, attempt, started_at, duration_ms)
      values (${delivery!.id}, ${owner.id}, 1, now(), 10)`;
  });

  it("finds every table of the schema in the catalog", () => {
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "profiles", "projects", "uploads", "upload_parts", "project_events", "outbox", "clips", "usage_events",
        "subscriptions", "stripe_events", "webhook_endpoints", "webhook_deliveries", "webhook_delivery_attempts",
      ]),
    );
  });

  const people = [
    { who: "its owner", claims: () => owner.claims, id: () => owner.id },
    { who: "another user", claims: () => other.claims, id: () => other.id },
  ];

  describe.each(people)("as $who", ({ who, claims }) => {
    it.each(tables)(`refuses to insert into, update any column of, delete from or truncate $name (except a project's title)`, async (table) => {
      const notRefused: string[] = [];
      const attempt = async (label: string, statement: string) => {
        const result = await outcome(() => asUser(claims(), (tx) => tx.unsafe(statement)));
        if (!isPermissionDenied(result, `table ${table.name}`)) notRefused.push(`${label}: ${JSON.stringify(result)}`);
      };
      // Every statement targets the owner's own rows: the other user aims at them, the owner
      // tries to change them.
      const where = ownerFilter(table, owner.id);
      await attempt("insert", `insert into ${table.qualified} default values`);
      for (const column of table.columns) {
        if (table.name === "projects" && column.name === "title") continue;
        const value = column.writableOnlyAsDefault ? "default" : column.quoted;
        await attempt(`update ${column.name}`, `update ${table.qualified} set ${column.quoted} = ${value} ${where}`);
      }
      await attempt("delete", `delete from ${table.qualified} ${where}`);
      if (table.kind === "r" || table.kind === "p") await attempt("truncate", `truncate ${table.qualified}`);
      expect(notRefused, `${who}: statements on ${table.name} that were not refused`).toEqual([]);
    });

    it.each(tables)("holds no insert, update, delete, truncate, references or trigger privilege on $name or its columns", async (table) => {
      const [held] = await asUser(claims(), (tx) => tx<{ table: boolean; anyColumn: string[] }[]>`
        select has_table_privilege(${table.qualified}, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') as table,
               array(select p from unnest(array['INSERT', 'UPDATE', 'REFERENCES']) p
                     where has_any_column_privilege(${table.qualified}, p)) as "anyColumn"`);
      expect(held!.table).toBe(false);
      expect(held!.anyColumn).toEqual(table.name === "projects" ? ["UPDATE"] : []);
    });
  });

  it("lets a project's owner change its title and nothing else of it; the database notes the rename on the timeline", async () => {
    const renamed = await asUser(owner.claims, (tx) => tx`update projects set title = 'Launch day' where id = ${projectId}`);
    expect(renamed.count).toBe(1);
    const updatable = await asUser(owner.claims, (tx) => tx<{ column: string }[]>`
      select attname as column from pg_attribute
      where attrelid = 'public.projects'::regclass and attnum > 0 and not attisdropped
        and has_column_privilege('public.projects'::regclass, attnum, 'UPDATE')`);
    expect(updatable.map((r) => r.column)).toEqual(["title"]);
    const [event] = await db()<{ kind: string; message: string }[]>`
      select kind, message from project_events where project_id = ${projectId} order by id desc limit 1`;
    expect(event).toEqual({ kind: "renamed", message: "Renamed to “Launch day”." });
  });

  it("changes no row when another user renames someone else's project", async () => {
    const renamed = await asUser(other.claims, (tx) => tx`update projects set title = 'mine now' where id = ${projectId}`);
    expect(renamed.count).toBe(0);
    const [row] = await db()<{ title: string }[]>`select title from projects where id = ${projectId}`;
    expect(row!.title).not.toBe("mine now");
  });

  it("lets people read their own rows and no one else's, in every table they may read", async () => {
    const readable = tables.filter((t) => t.ownerColumn);
    const counts: Record<string, { own: number | "denied"; other: number | "denied" }> = {};
    for (const table of readable) {
      const count = async (claimsOf: TestUser) => {
        const result = await outcome(() => asUser(claimsOf.claims, (tx) => tx.unsafe(`select 1 from ${table.qualified} ${ownerFilter(table, owner.id)}`)));
        return result.refused ? "denied" : result.count;
      };
      counts[table.name] = { own: await count(owner), other: await count(other) };
    }
    for (const [name, seen] of Object.entries(counts)) {
      expect(seen.other, `another user reading ${name}`).toSatisfy((n) => n === 0 || n === "denied");
    }
    for (const name of ["profiles", "projects", "uploads", "upload_parts", "project_events", "outbox", "clips", "usage_events",
      "subscriptions", "webhook_endpoints", "webhook_deliveries", "webhook_delivery_attempts"]) {
      expect(counts[name]?.own, `the owner reading ${name}`).toBeGreaterThan(0);
    }
    // The signing secret stays with the server.
    const secret = await outcome(() => asUser(owner.claims, (tx) => tx`select secret from webhook_endpoints where id = ${endpointId}`));
    expect(isPermissionDenied(secret, "table webhook_endpoints")).toBe(true);
  });

  it.each(tables)("gives anon (the anon key without a session) nothing of $name", async (table) => {
    const statements = [
      `select 1 from ${table.qualified}`,
      `insert into ${table.qualified} default values`,
      `update ${table.qualified} set ${table.columns[0]!.quoted} = ${table.columns[0]!.writableOnlyAsDefault ? "default" : table.columns[0]!.quoted}`,
      `delete from ${table.qualified}`,
      ...(table.kind === "r" || table.kind === "p" ? [`truncate ${table.qualified}`] : []),
    ];
    for (const statement of statements) {
      const result = await outcome(() => asAnon((tx) => tx.unsafe(statement)));
      expect(isPermissionDenied(result, `table ${table.name}`), `${statement}: ${JSON.stringify(result)}`).toBe(true);
    }
  });

  it("gives people no use of the schema's sequences", async () => {
    const sequences = await db()<{ qualified: string }[]>`
      select format('%I.%I', n.nspname, c.relname) as qualified from pg_class c
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'S'`;
    expect(sequences.length).toBeGreaterThan(0);
    for (const { qualified } of sequences) {
      for (const run of [asOwner, asAnon]) {
        const next = await outcome(() => run((tx) => tx`select nextval(${qualified}::regclass)`));
        expect(next.refused && next.code === "42501", `nextval(${qualified}): ${JSON.stringify(next)}`).toBe(true);
        const [held] = await run((tx) => tx<{ any: boolean }[]>`select has_sequence_privilege(${qualified}, 'USAGE, SELECT, UPDATE') as any`);
        expect(held!.any, qualified).toBe(false);
      }
    }
  });

  it("lets neither authenticated nor anon execute any function of the schema (the Data API's RPC)", async () => {
    const functions = await db()<{ oid: number; signature: string; call: string | null }[]>`
      select p.oid::int8 as oid, p.oid::regprocedure::text as signature,
             -- A call with a typed NULL per argument, where every argument has a concrete type;
             -- each inside a subquery, which the planner does not fold, so a strict function is
             -- really called instead of being replaced by NULL before its privilege is checked.
             case when p.prokind = 'f' and not exists (
                    select 1 from unnest(p.proargtypes) t join pg_type ty on ty.oid = t where ty.typtype = 'p')
                  then format('select %I.%I(%s)', n.nspname, p.proname,
                              (select string_agg(format('(select null::%s)', format_type(t, null)), ', ') from unnest(p.proargtypes) t))
             end as call
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public'`;
    const names = functions.map((f) => f.signature);
    expect(names).toEqual(expect.arrayContaining(["enqueue_project_status_changed()", "note_project_renamed()", "touch_updated_at()"]));
    const executable: string[] = [];
    for (const fn of functions) {
      for (const [role, run] of [["authenticated", asOwner], ["anon", asAnon]] as const) {
        const [held] = await run((tx) => tx<{ can: boolean }[]>`select has_function_privilege(${fn.oid}::oid, 'EXECUTE') as can`);
        if (held!.can) executable.push(`${role} holds EXECUTE on ${fn.signature}`);
        if (fn.call) {
          const called = await outcome(() => run((tx) => tx.unsafe(fn.call!)));
          if (!isPermissionDenied(called, "function")) executable.push(`${role} ran ${fn.call}: ${JSON.stringify(called)}`);
        }
      }
    }
    expect(executable).toEqual([]);
  });

  it("gives a table or function a later migration creates no grant to authenticated or anon", async () => {
    const rollback = new Error("rolled back on purpose");
    let held: { role: string; privilege: string }[] = [];
    await db()
      .begin(async (tx) => {
        await tx`create table public.privileges_probe (id bigint generated always as identity, note text)`;
        await tx`create function public.privileges_probe_fn() returns integer language sql as 'select 1'`;
        held = await tx<{ role: string; privilege: string }[]>`
          select r.role, p.privilege from unnest(array['authenticated', 'anon']) r(role)
          cross join lateral (
            select 'table ' || t as privilege from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) t
            where has_table_privilege(r.role, 'public.privileges_probe', t)
            union all
            select 'sequence' where has_sequence_privilege(r.role, pg_get_serial_sequence('public.privileges_probe', 'id'), 'USAGE, SELECT, UPDATE')
            union all
            select 'function' where has_function_privilege(r.role, 'public.privileges_probe_fn()', 'EXECUTE')
          ) p`;
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    expect(held.map((r) => `${r.role}: ${r.privilege}`)).toEqual([]);
  });

  describe("the writes that motivated this (each refused, the row left as it was)", () => {
    it("refuses to point the owner's project's playback_key at another user's object", async () => {
      const result = await outcome(() =>
        asUser(owner.claims, (tx) => tx`update projects set playback_key = ${otherProjectKey} where id = ${projectId}`),
      );
      expect(isPermissionDenied(result, "table projects"), JSON.stringify(result)).toBe(true);
      const [row] = await db()<{ playbackKey: string }[]>`select playback_key as "playbackKey" from projects where id = ${projectId}`;
      expect(row!.playbackKey).toBe(`projects/${owner.id}/p/web.mp4`);
    });

    it("refuses to rewrite an upload's size past the plan limit", async () => {
      const result = await outcome(() =>
        asUser(owner.claims, (tx) => tx`update uploads set size = ${50 * 1024 ** 4} where id = ${uploadId}`),
      );
      expect(isPermissionDenied(result, "table uploads"), JSON.stringify(result)).toBe(true);
      const [row] = await db()<{ size: number }[]>`select size from uploads where id = ${uploadId}`;
      expect(row!.size).toBe(20000000);
    });

    it("refuses to insert a clip with a share token of the person's choosing", async () => {
      const token = "chosen-share-token-0000000001";
      const result = await outcome(() =>
        asUser(owner.claims, (tx) => tx`
          insert into clips (project_id, user_id, position, start_seconds, end_seconds, key, thumbnail_key, share_token)
          values (${projectId}, ${owner.id}, 7, 0, 10, ${otherProjectKey}, ${otherProjectKey}, ${token})`),
      );
      expect(isPermissionDenied(result, "table clips"), JSON.stringify(result)).toBe(true);
      expect(await db()`select 1 from clips where share_token = ${token}`).toHaveLength(0);
    });

    it("refuses a forged timeline entry", async () => {
      const result = await outcome(() =>
        asUser(owner.claims, (tx) => tx`
          insert into project_events (project_id, user_id, kind, message)
          values (${projectId}, ${owner.id}, 'ready', 'Forged: your video is ready.')`),
      );
      expect(isPermissionDenied(result, "table project_events"), JSON.stringify(result)).toBe(true);
      expect(await db()`select 1 from project_events where message = 'Forged: your video is ready.'`).toHaveLength(0);
    });

    it("refuses a webhook endpoint inserted past the SSRF guard and the endpoint cap, and a registered URL rewritten", async () => {
      const metadata = "http://169.254.169.254/latest/meta-data/";
      const inserted = await outcome(() =>
        asUser(owner.claims, (tx) => tx`insert into webhook_endpoints (user_id, url, secret) values (${owner.id}, ${metadata}, 'whsec_mine')`),
      );
      expect(isPermissionDenied(inserted, "table webhook_endpoints"), JSON.stringify(inserted)).toBe(true);
      const rewritten = await outcome(() =>
        asUser(owner.claims, (tx) => tx`update webhook_endpoints set url = ${metadata} where id = ${endpointId}`),
      );
      expect(isPermissionDenied(rewritten, "table webhook_endpoints"), JSON.stringify(rewritten)).toBe(true);
      expect(await db()`select 1 from webhook_endpoints where url = ${metadata}`).toHaveLength(0);
    });
  });
});
