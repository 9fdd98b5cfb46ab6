import { randomUUID } from "node:crypto";
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
