import { clientIp } from "@/lib/api/client-ip";
import { enforceRateLimit } from "./enforce-rate-limit";

/**
 * Sign-in attempts are counted per client address when a trusted proxy reports it, and
 * otherwise per account (the email or user id): an address the client can choose would
 * let one client count as many.
 */
export async function enforceSignInLimit(headers: Headers, account: string): Promise<void> {
  const ip = clientIp(headers);
  await enforceRateLimit("signIn", ip ? `ip:${ip}` : `account:${account.toLowerCase()}`);
}
