import { clientIp } from "@/lib/api/client-ip";
import type { TokenCheck } from "@/lib/auth/user-for-token";
import { enforceRateLimit } from "./enforce-rate-limit";

/**
 * Counts one local sign-in (an email, no password) before anything in it is checked.
 * Attempts are counted per client address when a trusted proxy reports it, and otherwise
 * together, one count every client shares: the address the client writes itself or the
 * email it sends would each let one client count as many. Local sign-in serves one
 * machine's developer, never a public site (lib/env.ts), so a shared count costs no one.
 */
export async function enforceLocalSignInLimit(headers: Headers): Promise<void> {
  const ip = clientIp(headers);
  await enforceRateLimit("signIn", ip ? `ip:${ip}` : "route:dev-login");
}

/**
 * Checks a token someone offers to sign in with, counting the attempt. Behind a trusted
 * proxy every attempt counts against the client's address before the token is looked at.
 * Without one there is no address to trust, and one count for all clients would let a
 * stranger's ten bad tokens lock every person out; so a token that verifies counts against
 * its account, and one that verifies nothing against a count all such attempts share,
 * which bounds guessing without standing in a real person's way.
 */
export async function checkSignInToken(headers: Headers, check: () => Promise<TokenCheck>): Promise<TokenCheck> {
  const ip = clientIp(headers);
  if (ip) {
    await enforceRateLimit("signIn", `ip:${ip}`);
    return check();
  }
  const result = await check();
  await enforceRateLimit("signIn", result.ok ? `user:${result.user.id}` : "route:session:unverified");
  return result;
}
