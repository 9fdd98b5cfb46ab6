import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach } from "vitest";
import { db } from "@/lib/db/client";
import { findOrCreateLocalUser } from "@/lib/users/find-or-create-local-user";
import { mintLocalAccessToken } from "@/lib/auth/tokens";
import type { UserClaims } from "@/lib/db/as-user";

export type TestUser = { id: string; email: string; token: string; claims: UserClaims; auth: { authorization: string } };

export async function createTestUser(label = "user"): Promise<TestUser> {
  const email = `${label}-${randomUUID()}@example.com`;
  const user = await findOrCreateLocalUser(db(), email);
  const token = await mintLocalAccessToken(user);
  return {
    id: user.id,
    email: user.email,
    token,
    claims: { sub: user.id, email: user.email, role: "authenticated" },
    auth: { authorization: `Bearer ${token}` },
  };
}

/**
 * A test user made before the file's tests (or before each test, with `each`). The object
 * is filled in by that hook, so it can be named at the top of a file or `describe`.
 */
export function testUser(label: string, options: { each?: boolean } = {}): TestUser {
  const user = {} as TestUser;
  (options.each ? beforeEach : beforeAll)(async () => {
    Object.assign(user, await createTestUser(label));
  });
  return user;
}
