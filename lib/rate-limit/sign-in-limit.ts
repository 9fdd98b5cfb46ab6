import { clientIp } from "@/lib/api/client-ip";
import { enforceRateLimit } from "./enforce-rate-limit";

type SignInRoute = "dev-login" | "session";

/**
 * Counts one sign-in attempt before anything in it is checked, so a wrong token or a made-up
 * email uses up the limit as a sign-in that works does. Attempts are counted per client
 * address when a trusted proxy reports it, and otherwise together, one count per route that
 * every client shares: the address the client writes itself, the email or the token it
 * sends would each let one client count as many.
 */
export async function enforceSignInAttemptLimit(headers: Headers, route: SignInRoute): Promise<void> {
  const ip = clientIp(headers);
  await enforceRateLimit("signIn", ip ? `ip:${ip}` : `route:${route}`);
}
