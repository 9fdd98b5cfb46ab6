import type { RequestOptions } from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import type { CheckedTarget } from "./ssrf-guard";

/** A DNS lookup that only ever answers with the address the guard checked. */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

/**
 * http(s).request options for a URL the SSRF guard checked: the connection goes to the
 * checked address (no second DNS lookup, so DNS rebinding cannot move it), while the Host
 * header and TLS name stay the URL's host.
 */
export function pinnedRequestOptions(
  target: CheckedTarget,
  options: { method: string; headers: Record<string, string>; signal?: AbortSignal },
): RequestOptions {
  const { url } = target;
  return {
    protocol: url.protocol,
    hostname: target.hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: options.method,
    headers: { ...options.headers, host: url.host },
    lookup: pinnedLookup(target),
    agent: false,
    signal: options.signal,
    // TLS names the host it was given, never a bare address.
    ...(url.protocol === "https:" && !ipaddr.isValid(target.hostname) ? { servername: target.hostname } : {}),
  };
}
