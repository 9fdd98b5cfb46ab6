import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { accessTokenFrom } from "./session";
import { verifyAccessToken, type AuthUser } from "./tokens";
import type { UserClaims } from "@/lib/db/as-user";

/** For server components: the signed-in user, or null. */
export async function currentUser(): Promise<AuthUser | null> {
  const token = await accessTokenFrom(await headers());
  return token ? verifyAccessToken(token) : null;
}

/** For pages that need a user: sends everyone else to the sign-in page. */
export async function requireUser(): Promise<{ user: AuthUser; claims: UserClaims }> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return { user, claims: { sub: user.id, email: user.email, role: "authenticated" } };
}
