import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSql } from "@/lib/db/client";
import { freePort } from "@/lib/local-stack/ports";
import { startLocalPostgres, type LocalPostgres } from "@/lib/local-stack/postgres";

// `npm run dev` keeps a person's data in the embedded Postgres (cli/dev.ts starts it
// with the defaults); only the test tiers' databases, removed when they end, may trade
// crash safety for speed.

async function settingsOf(pg: LocalPostgres): Promise<Record<string, string>> {
  const sql = createSql(pg.url, 1);
  try {
    const rows = await sql<{ name: string; setting: string }[]>`
      select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes')`;
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await sql.end();
  }
}

describe("the local Postgres", () => {
  const started: LocalPostgres[] = [];
  let root: string;

  afterAll(async () => {
    for (const pg of started) await pg.stop().catch(() => {});
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("started as npm run dev starts it, flushes every commit to disk (fsync, synchronous_commit and full_page_writes on)", async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-durability-"));
    await chmod(root, 0o755);
    const pg = await startLocalPostgres({ dataDir: path.join(root, "kept"), port: await freePort() });
    started.push(pg);
    expect(await settingsOf(pg)).toEqual({ fsync: "on", synchronous_commit: "on", full_page_writes: "on" });
  });

  it("skips those only for a database the caller declares throwaway", async () => {
    const pg = await startLocalPostgres({ dataDir: path.join(root, "throwaway"), port: await freePort(), durability: "throwaway" });
    started.push(pg);
    expect(await settingsOf(pg)).toEqual({ fsync: "off", synchronous_commit: "off", full_page_writes: "off" });
  });
});
