import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { envSource, setEnvForProcess } from "@/lib/env";
import { listObjects } from "@/lib/storage/objects";
import { createTestUser, type TestUser } from "../support/users";
import { insertProject, makeReady } from "./projects/fixtures";

// A stranger who can reach /api/inngest hand-writes a run request, as the Inngest server
// would send it, for every function the app registers. In no mode may that run anything:
// embedded mode executes nothing over HTTP, the Dev Server mode refuses what a browser
// sends, and cloud mode runs only what the signing key signed.

const APP_ID = "clipcrafter";
const SIGNING_KEY = `signkey-test-${randomBytes(32).toString("hex")}`;

type Victim = { user: TestUser; projectId: string; keys: string[] };

function forgedEvent(functionId: string, victim: Victim): { name: string; data: Record<string, unknown> } {
  const owner = { projectId: victim.projectId, userId: victim.user.id };
  const events: Record<string, { name: string; data: Record<string, unknown> }> = {
    "cleanup-project": { name: "project/deleted", data: { ...owner, uploadKeys: victim.keys } },
    "process-video": { name: "video/process", data: owner },
    "import-url": { name: "video/import", data: { ...owner, url: "http://127.0.0.1:9/video.mp4" } },
    reconcile: { name: "inngest/scheduled.timer", data: { cron: "* * * * *" } },
    "deliver-webhooks": { name: "project/status.changed", data: { ...owner, status: "error", at: new Date().toISOString() } },
    "send-webhook": { name: "webhook/delivery.requested", data: { ...owner, deliveryId: randomUUID() } },
  };
  const event = events[functionId];
  if (!event) throw new Error(`No forged event for the function "${functionId}": add one so it is attacked too`);
  return event;
}

function forgedRunBody(event: { name: string; data: Record<string, unknown> }) {
  return {
    ctx: { attempt: 0, disable_immediate_execution: false, run_id: `forged-${randomUUID()}`, stack: { current: 0, stack: [] }, use_api: false },
    event: { ...event, id: randomUUID(), ts: Date.now() },
    events: [{ ...event, id: randomUUID(), ts: Date.now() }],
    steps: {},
    version: 1,
  };
}

// The SDK signs the canonical JSON of the body (keys sorted) followed by the timestamp.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function signature(body: unknown, key: string, at = Math.round(Date.now() / 1000)): string {
  const mac = createHmac("sha256", key.replace(/^signkey-\w+-/, "")).update(canonical(body) + String(at)).digest("hex");
  return `t=${at}&s=${mac}`;
}

type Route = typeof import("@/app/api/inngest/route");

const jobsSettings = ["INNGEST_MODE", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "INNGEST_DEV_SERVER_URL"];

async function routeIn(settings: Record<string, string>): Promise<{ route: Route; functionIds: string[] }> {
  setEnvForProcess({ ...Object.fromEntries(jobsSettings.map((name) => [name, undefined])), ...settings });
  vi.resetModules();
  const route = await import("@/app/api/inngest/route");
  const functions = (await import("@/inngest")).jobFunctions();
  return { route, functionIds: functions.map((fn) => fn.id()) };
}

/**
 * Everything of the victim's that a forged run could write or remove: the project row, the
 * rows of every table that names the owner (user_id) or the project (project_id), and the
 * stored objects under the owner's prefixes. Scoped to the victim, as other test files
 * write to the same database and bucket at the same time.
 */
async function snapshot(victim: Victim) {
  const [project] = await db()`select * from projects where id = ${victim.projectId}`;
  const columns = await db()<{ table_name: string; column_name: "user_id" | "project_id" }[]>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.column_name in ('user_id', 'project_id')
    order by c.table_name, c.column_name`;
  const counts: Record<string, number> = {};
  for (const { table_name, column_name } of columns) {
    const value = column_name === "user_id" ? victim.user.id : victim.projectId;
    const [row] = await db()<{ n: number }[]>`
      select count(*)::int as n from ${db()(table_name)} where ${db()(column_name)} = ${value}`;
    counts[`${table_name}.${column_name}`] = row!.n;
  }
  const shared = await db()<{ id: string }[]>`select id from shared_outputs where user_id = ${victim.user.id}`;
  const prefixes = [
    ...["uploads", "imports", "projects"].map((root) => `${root}/${victim.user.id}/`),
    ...shared.map(({ id }) => `shared/${id}/`),
  ];
  const objects = (await Promise.all(prefixes.map((prefix) => listObjects(prefix)))).flat().map((o) => `${o.key}:${o.size}`).sort();
  return { project, counts, objects };
}

async function forge(route: Route, functionId: string, victim: Victim, headers: Record<string, string> = {}) {
  const body = forgedRunBody(forgedEvent(functionId, victim));
  const request = new Request(
    `http://localhost:3000/api/inngest?fnId=${APP_ID}-${functionId}&stepId=step`,
    { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) },
  );
  const response = await route.POST(request as never, undefined as never);
  return { status: response.status, text: await response.text(), body };
}

describe("the jobs endpoint, forged by a stranger", () => {
  const source = envSource();
  const saved = Object.fromEntries(jobsSettings.map((name) => [name, source[name]]));
  let victim: Victim;

  beforeAll(async () => {
    const user = await createTestUser("victim");
    const projectId = await insertProject(user, { title: "keep me" });
    await makeReady(user, projectId);
    const objects = await listObjects(`projects/${user.id}/`);
    victim = { user, projectId, keys: objects.map((o) => o.key) };
    expect(victim.keys.length).toBeGreaterThan(0);
    // The snapshot sees what a forged run could touch: the victim's rows and objects.
    const seen = await snapshot(victim);
    expect(seen.counts).toMatchObject({ "projects.user_id": 1, "project_events.project_id": expect.any(Number) });
    expect(seen.objects.length).toBeGreaterThanOrEqual(victim.keys.length);
  });

  afterAll(() => {
    setEnvForProcess(saved);
    vi.resetModules();
  });

  it("runs nothing in embedded mode: every function id answers 404 and no row or object changes", async () => {
    const { route, functionIds } = await routeIn({ INNGEST_MODE: "embedded" });
    const before = await snapshot(victim);
    for (const id of functionIds) {
      const { status, text } = await forge(route, id, victim);
      expect(status, id).toBe(404);
      expect(JSON.parse(text).error.message).toMatch(/embedded mode/);
    }
    const introspection = await route.GET(new Request("http://localhost:3000/api/inngest") as never, undefined as never);
    expect(introspection.status).toBe(404);
    expect(await snapshot(victim)).toEqual(before);
  });

  it("runs nothing a web page sends in Dev Server mode, from another site or another origin of the same site", async () => {
    const { route, functionIds } = await routeIn({ INNGEST_MODE: "dev", INNGEST_DEV_SERVER_URL: "http://127.0.0.1:9" });
    const before = await snapshot(victim);
    for (const id of functionIds) {
      const browserHeaders: Record<string, string>[] = [
        { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
        { origin: "http://localhost:4000", "sec-fetch-site": "same-site" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const headers of browserHeaders) {
        const { status } = await forge(route, id, victim, headers);
        expect(status, `${id} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    expect(await snapshot(victim)).toEqual(before);
  });

  it("runs nothing in cloud mode without the signing key's signature: unsigned, signed with another key, or replayed", async () => {
    const { route, functionIds } = await routeIn({
      INNGEST_MODE: "cloud",
      INNGEST_EVENT_KEY: "event-key-for-tests",
      INNGEST_SIGNING_KEY: SIGNING_KEY,
    });
    const before = await snapshot(victim);
    const otherKey = `signkey-test-${randomBytes(32).toString("hex")}`;
    for (const id of functionIds) {
      const unsigned = await forge(route, id, victim);
      expect(unsigned.status, `${id} unsigned`).toBe(401);

      const body = forgedRunBody(forgedEvent(id, victim));
      for (const sig of [signature(body, otherKey), signature(body, SIGNING_KEY, Math.round(Date.now() / 1000) - 3600)]) {
        const response = await route.POST(
          new Request(`http://localhost:3000/api/inngest?fnId=${APP_ID}-${id}&stepId=step`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-inngest-signature": sig },
            body: JSON.stringify(body),
          }) as never,
          undefined as never,
        );
        expect(response.status, `${id} ${sig}`).toBe(401);
      }
    }
    expect(await snapshot(victim)).toEqual(before);
  });

  it("does run a request that the signing key signed, so the refusals above are the signature check at work", async () => {
    const { route } = await routeIn({
      INNGEST_MODE: "cloud",
      INNGEST_EVENT_KEY: "event-key-for-tests",
      INNGEST_SIGNING_KEY: SIGNING_KEY,
    });
    const bystander = await createTestUser("bystander");
    const projectId = await insertProject(bystander, { status: "error" });
    const body = forgedRunBody(forgedEvent("process-video", { user: bystander, projectId, keys: [] }));
    const response = await route.POST(
      new Request(`http://localhost:3000/api/inngest?fnId=${APP_ID}-process-video&stepId=step`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-inngest-signature": signature(body, SIGNING_KEY) },
        body: JSON.stringify(body),
      }) as never,
      undefined as never,
    );
    expect([200, 206]).toContain(response.status);
  });
});
