import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { AppError } from "@/lib/api/errors";

// The one gate every server-side fetch of a user-supplied URL goes through: the first
// URL and every redirect. The URL parser normalises every host spelling first (decimal,
// octal and hex IPv4, short forms like 127.1, percent-encoding, IPv6 brackets), then
// every address the name resolves to must be ordinary public unicast. The caller
// connects to the address checked here (guarded-request.ts), so a DNS answer that
// changes between check and connect (rebinding) cannot redirect the connection.

export type CheckedTarget = { url: URL; hostname: string; address: string; family: 4 | 6 };
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const METADATA_HOSTNAMES = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
]);

export class UrlRefusedError extends AppError {
  constructor(reason: string) {
    super("url_refused", reason);
    this.name = "UrlRefusedError";
  }
}

/** Why an address may not be fetched, or null when it is public unicast. */
export function addressRefusal(address: string): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      parsed = v6.toIPv4Address();
    } else if (v6.parts.slice(0, 6).every((p) => p === 0) && !["::", "::1"].includes(v6.toString())) {
      // ::a.b.c.d, the deprecated IPv4-compatible form; ipaddr.js calls it unicast.
      return "it points to an IPv4-compatible IPv6 address";
    }
  }
  const range = parsed.range();
  if (range === "unicast") return null;
  const names: Record<string, string> = {
    loopback: "a loopback address",
    private: "a private network address",
    linkLocal: "a link-local address (this includes cloud metadata services)",
    carrierGradeNat: "a carrier-grade NAT address",
    uniqueLocal: "a unique-local (private) IPv6 address",
    unspecified: "the unspecified address",
    multicast: "a multicast address",
    broadcast: "the broadcast address",
    reserved: "a reserved, documentation or benchmarking address",
    rfc6052: "an IPv6 translation of an IPv4 address",
    "6to4": "a 6to4 address that embeds an IPv4 address",
    teredo: "a Teredo tunnel address",
  };
  return `it points to ${names[range] ?? `a special-purpose address (${range})`}`;
}

function allowlisted(hostname: string, allowedHosts: string[]): boolean {
  return allowedHosts.some((h) => h.toLowerCase() === hostname);
}

/** Parses and checks the form of a URL without resolving it. */
export function parseFetchableUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UrlRefusedError("That is not a valid URL. Paste a full link starting with https://.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UrlRefusedError(`Only http and https links can be imported (this one is ${url.protocol.replace(":", "")}).`);
  }
  if (url.username || url.password) {
    throw new UrlRefusedError("Links with a user name or password in them cannot be imported.");
  }
  if (!url.hostname) throw new UrlRefusedError("That link has no host name.");
  return url;
}

/**
 * Checks a URL and resolves it to the one address the connection must use. Refuses when
 * the host, or ANY address it resolves to, is not public unicast.
 */
export async function checkFetchTarget(
  raw: string | URL,
  options: { allowedHosts?: string[]; resolver?: Resolver } = {},
): Promise<CheckedTarget> {
  const url = typeof raw === "string" ? parseFetchableUrl(raw) : parseFetchableUrl(raw.href);
  const hostname = url.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "").toLowerCase();
  const allowed = allowlisted(hostname, options.allowedHosts ?? []);

  if (!allowed && (METADATA_HOSTNAMES.has(hostname) || hostname === "localhost" || hostname.endsWith(".localhost"))) {
    throw new UrlRefusedError(`Links to "${hostname}" cannot be imported: it is an internal address.`);
  }

  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(hostname)) {
    addresses = [{ address: hostname, family: hostname.includes(":") ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolver ?? defaultResolver)(hostname);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      throw new UrlRefusedError(`The host "${hostname}" could not be found. Check the link.`);
    }
  }

  if (!allowed) {
    for (const { address } of addresses) {
      const refusal = addressRefusal(address);
      if (refusal) throw new UrlRefusedError(`That link cannot be imported: ${refusal}.`);
    }
  }
  const first = addresses[0]!;
  return { url, hostname, address: first.address, family: first.family === 6 ? 6 : 4 };
}
