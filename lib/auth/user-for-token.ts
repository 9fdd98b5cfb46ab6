import { verifyAccessToken, type AuthUser } from "./tokens";
import { db } from "@/lib/db/client";
import { userExists } from "@/lib/db/queries/users";

export type TokenCheck = { ok: true; user: AuthUser } | { ok: false; reason: "invalid" | "account_gone" };

/**
 * The person an access token names: a valid token for an account that still exists. A
 * token outlives a deleted account until it expires, so the account is looked up too.
 */
export async function userForToken(token: string): Promise<TokenCheck> {
  const user = await verifyAccessToken(token);
  if (!user) return { ok: false, reason: "invalid" };
  if (!(await userExists(db(), user.id))) return { ok: false, reason: "account_gone" };
  return { ok: true, user };
}
