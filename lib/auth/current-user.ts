import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { accessTokenFrom } from "./session";
import type { AuthUser } from "./tokens";
import { userForToken } from "./user-for-token";
import type { UserClaims } from "@/lib/db/as-user";

/** For server components: the signed-in user, or null (also when the account was deleted). */
export async function currentUser(): Promise<AuthUser | null> {
  const token = await accessTokenFrom(await headers());
  if (!token) return null;
  const check = await userForToken(token);
  return check.ok ? check.user : null;
}

/** For pages that need a user: sends everyone else to the sign-in page. */
export async function requireUser(): Promise<{ user: AuthUser; claims: UserClaims }> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return { user, claims: { sub: user.id, email: user.email, role: "authenticated" } };
}
