import { afterAll, describe, expect, it } from "vitest";
import { createSql, db } from "@/lib/db/client";
import { env } from "@/lib/env";

// A backend that goes away mid-query (a database restart or failover, a crashed server,
// pg_terminate_backend) fails that query, and only that one: the pool reconnects and the
// next query — often another person's request — runs as if nothing had happened. The
// driver (postgres 3.4.9) kept the lost backend's error and handed it to the first query
// on the reconnected connection; patches/postgres+3.4.9.patch clears it when the
// connection closes.

describe("a connection whose backend is terminated mid-query", () => {
  // One connection, so the query after the loss is certain to run on the reconnected one.
  const single = createSql(env().DATABASE_URL, 1);
  afterAll(() => single.end({ timeout: 5 }));

  async function terminateWhileRunning<T>(query: Promise<T>): Promise<unknown> {
    // Attached first: the driver sends a query when it is awaited.
    const outcome = query.then(
      () => null,
      (error: unknown) => error,
    );
    const pid = await waitForBackend();
    await db()`select pg_terminate_backend(${pid})`;
    return outcome;
  }

  async function waitForBackend(): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const rows = await db()<{ pid: number }[]>`
        select pid from pg_stat_activity where query like '%lost-connection-probe%' and state = 'active' and pid <> pg_backend_pid()`;
      if (rows[0]) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("the probe query never showed up in pg_stat_activity");
  }

  it("fails the query that was running with the server's reason", async () => {
    const lost = await terminateWhileRunning(single`select pg_sleep(30) /* lost-connection-probe */`);
    expect(lost).toMatchObject({ code: "57P01" });
  });

  it("runs the next query on a new connection instead of failing it with the old backend's error", async () => {
    await terminateWhileRunning(single`select pg_sleep(30) /* lost-connection-probe */`);
    const [row] = await single<{ answer: number }[]>`select 42 as answer`;
    expect(row!.answer).toBe(42);
  });

  it("runs the next transaction too", async () => {
    await terminateWhileRunning(single.begin((tx) => tx`select pg_sleep(30) /* lost-connection-probe */`));
    const answer = await single.begin(async (tx) => (await tx<{ answer: number }[]>`select 7 as answer`)[0]!.answer);
    expect(answer).toBe(7);
  });
});
