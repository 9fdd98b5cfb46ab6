import { beforeAll, describe, expect, it } from "vitest";
import { asUser } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { getProject, listProjects } from "@/lib/db/queries/projects";
import { testUser, type TestUser } from "../support/users";

async function insertProject(owner: TestUser, title: string): Promise<string> {
  const [row] = await db()<{ id: string }[]>`
    insert into projects (user_id, title, source_type) values (${owner.id}, ${title}, 'upload') returning id`;
  return row!.id;
}

describe("row-level security through the data layer", () => {
  const alice = testUser("alice");
  const bob = testUser("bob");
  let bobProject: string;

  beforeAll(async () => {
    await insertProject(alice, "alice's video");
    bobProject = await insertProject(bob, "bob's video");
  });

  it("lets a user read their own projects and no one else's", async () => {
    const aliceSees = await asUser(alice.claims, (tx) => tx<{ title: string }[]>`select title from projects`);
    expect(aliceSees.map((r) => r.title)).toEqual(["alice's video"]);
  });

  it("hides another user's project even when the query asks for it by id and owner", async () => {
    const found = await asUser(alice.claims, (tx) => getProject(tx, { userId: bob.id, projectId: bobProject }));
    expect(found).toBeNull();
    const listed = await asUser(alice.claims, (tx) => listProjects(tx, { userId: bob.id, limit: 10 }));
    expect(listed).toEqual([]);
  });

  it("does not let a user change or delete another user's rows", async () => {
    // The title is the one column people may update: row-level security keeps them to their own rows.
    const updated = await asUser(alice.claims, (tx) => tx`update projects set title = 'pwned' where id = ${bobProject}`);
    expect(updated.count).toBe(0);
    // Deleting is the server's (it also stops work and removes the stored files).
    await expect(asUser(alice.claims, (tx) => tx`delete from projects where id = ${bobProject}`)).rejects.toThrow(
      /permission denied for table projects/,
    );
    const [row] = await db()<{ title: string }[]>`select title from projects where id = ${bobProject}`;
    expect(row?.title).toBe("bob's video");
  });

  it("refuses to insert a row owned by someone else (or by the user: only the server creates projects)", async () => {
    await expect(
      asUser(alice.claims, (tx) => tx`insert into projects (user_id, title, source_type) values (${bob.id}, 'planted', 'upload')`),
    ).rejects.toThrow(/permission denied for table projects/);
    await expect(
      asUser(alice.claims, (tx) => tx`insert into projects (user_id, title, source_type) values (${alice.id}, 'planted', 'upload')`),
    ).rejects.toThrow(/permission denied for table projects/);
  });

  it("keeps server-only tables out of a user's reach", async () => {
    await expect(
      asUser(alice.claims, (tx) => tx`insert into usage_events (user_id, project_id) values (${alice.id}, gen_random_uuid())`),
    ).rejects.toThrow(/permission denied/);
    const stripe = await asUser(alice.claims, (tx) => tx`select * from stripe_events`).catch((e: Error) => e);
    expect(stripe instanceof Error ? stripe.message : "readable").toMatch(/permission denied/);
  });

  it("sees nothing at all without claims (anonymous)", async () => {
    const rows = await db().begin(async (tx) => {
      await tx`set local role authenticated`;
      return tx`select id from projects`;
    });
    expect(rows.length).toBe(0);
  });
});
