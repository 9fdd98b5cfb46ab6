import { env } from "@/lib/env";
import { checkFetchTarget, UrlRefusedError, type CheckedTarget, type Resolver } from "@/lib/net/ssrf-guard";

/** Hosts that may receive webhooks although private or loopback: tests and local development only. */
export function webhookAllowedHosts(): string[] {
  return (env().WEBHOOK_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

// The guard's reasons are written for pasted video links; the refusal itself is the same.
function forWebhooks(reason: string): string {
  return reason
    .replace("Paste a full link starting with https://.", "Enter a full URL starting with https://.")
    .replaceAll("cannot be imported", "cannot receive webhooks")
    .replaceAll("can be imported", "can receive webhooks");
}

/**
 * The SSRF guard for webhook endpoints, at registration and before every delivery: http
 * or https, no credentials, and every address the host resolves to public unicast.
 * Returns the checked address the connection must use.
 */
export async function checkEndpointUrl(url: string, options: { resolver?: Resolver } = {}): Promise<CheckedTarget> {
  try {
    return await checkFetchTarget(url, { allowedHosts: webhookAllowedHosts(), resolver: options.resolver });
  } catch (error) {
    if (error instanceof UrlRefusedError) throw new UrlRefusedError(forWebhooks(error.message));
    throw error;
  }
}
