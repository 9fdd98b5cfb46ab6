import ipaddr from "ipaddr.js";
import { env } from "@/lib/env";

/**
 * The address of the client as the nearest trusted proxy saw it, or undefined when the app
 * is not behind one (TRUSTED_PROXY_HOPS=0, the default). Each proxy appends the address it
 * received the request from to X-Forwarded-For, so with N proxies the client is the Nth
 * entry from the right; anything further left is whatever the client chose to send. Without
 * a proxy the header is the client's own word (Next.js fills it in only when it is absent),
 * so it is not used. An IPv6 client is its /64: one host is usually handed a whole /64.
 */
export function clientIp(headers: Headers, trustedProxyHops = env().TRUSTED_PROXY_HOPS): string | undefined {
  if (trustedProxyHops === 0) return undefined;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const candidate = hops[hops.length - trustedProxyHops];
  if (!candidate || !ipaddr.isValid(candidate)) return undefined;
  const address = ipaddr.process(candidate);
  if (address.kind() === "ipv4") return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(":")}::/64`;
}
