import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { accessTokenFrom } from "./session";
import { verifyAccessToken, type AuthUser } from "./tokens";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { userExists } from "@/lib/db/queries/users";

/** For server components: the signed-in user, or null (also when the account was deleted). */
export async function currentUser(): Promise<AuthUser | null> {
  const token = await accessTokenFrom(await headers());
  const user = token ? await verifyAccessToken(token) : null;
  return user && (await userExists(db(), user.id)) ? user : null;
}

/** For pages that need a user: sends everyone else to the sign-in page. */
export async function requireUser(): Promise<{ user: AuthUser; claims: UserClaims }> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return { user, claims: { sub: user.id, email: user.email, role: "authenticated" } };
}
