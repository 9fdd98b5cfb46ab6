import { createHash, createHmac } from "node:crypto";
import { env } from "@/lib/env";
import { bucket, signingStorage } from "./client";

// AWS Signature Version 4 for presigned object URLs (query-string auth), as the SDK's
// getSignedUrl produces them for PutObject and UploadPart — the same URL byte for byte
// (tests/unit/presign.test.ts holds it to that). getSignedUrl resolves the endpoint rules
// and runs the client's middleware stack for every URL, about 1 ms each; the signature
// itself is a few HMACs. Here the endpoint is resolved once per configuration by the SDK's
// own rules, and the signing key once per day.

type Endpoint = { origin: string; host: string; basePath: string; signingRegion: string; signingService: string };

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

// The SDK's encoding (RFC 3986: encodeURIComponent plus !'()*), for query strings and key segments.
export const escapeUri = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const endpoints = new Map<string, Endpoint>();

async function resolveEndpoint(): Promise<Endpoint> {
  const e = env();
  const endpoint = e.R2_PUBLIC_ENDPOINT ?? e.R2_ENDPOINT;
  const cacheKey = JSON.stringify([endpoint, e.R2_REGION, e.R2_FORCE_PATH_STYLE, bucket()]);
  const cached = endpoints.get(cacheKey);
  if (cached) return cached;
  const config = signingStorage().config;
  const resolved = config.endpointProvider({
    Bucket: bucket(),
    Region: await config.region(),
    Endpoint: endpoint,
    ForcePathStyle: config.forcePathStyle,
    UseFIPS: false,
    UseDualStack: false,
    Accelerate: false,
  });
  const scheme = (resolved.properties?.authSchemes as { signingRegion?: string; signingName?: string }[] | undefined)?.[0];
  const url = new URL(resolved.url);
  const result: Endpoint = {
    origin: url.origin,
    host: url.host,
    basePath: url.pathname.replace(/\/$/, ""),
    signingRegion: scheme?.signingRegion ?? e.R2_REGION,
    signingService: scheme?.signingName ?? "s3",
  };
  endpoints.set(cacheKey, result);
  return result;
}

let signingKeyCache: { id: string; key: Buffer } | undefined;

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = JSON.stringify([secret, date, region, service]);
  if (signingKeyCache?.id !== id) {
    const kDate = createHmac("sha256", `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac("sha256", kDate).update(region).digest();
    const kService = createHmac("sha256", kRegion).update(service).digest();
    signingKeyCache = { id, key: createHmac("sha256", kService).update("aws4_request").digest() };
  }
  return signingKeyCache.key;
}

const amzDate = (now: Date) => now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export type ObjectUrlSigner = (request: {
  method: "PUT" | "GET";
  key: string;
  query: Record<string, string>;
  /** Headers the request must carry, lower-case names; `host` is always signed. */
  headers: Record<string, string>;
  expiresInSeconds: number;
}) => string;

/** A signer for object URLs in the configured bucket; create one per request or batch. */
export async function objectUrlSigner(now: Date = new Date()): Promise<ObjectUrlSigner> {
  const endpoint = await resolveEndpoint();
  const { R2_ACCESS_KEY_ID: accessKeyId, R2_SECRET_ACCESS_KEY: secret } = env();
  const timestamp = amzDate(now);
  const scope = `${timestamp.slice(0, 8)}/${endpoint.signingRegion}/${endpoint.signingService}/aws4_request`;
  const key = signingKey(secret, timestamp.slice(0, 8), endpoint.signingRegion, endpoint.signingService);
  const fixedQuery: [string, string][] = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Content-Sha256", UNSIGNED_PAYLOAD],
    ["X-Amz-Credential", escapeUri(`${accessKeyId}/${scope}`)],
    ["X-Amz-Date", timestamp],
  ];
  return (request) => {
    const path = `${endpoint.basePath}/${request.key.split("/").map(escapeUri).join("/")}`;
    const headers: Record<string, string> = { ...request.headers, host: endpoint.host };
    const headerNames = Object.keys(headers).sort();
    const signedHeaders = headerNames.join(";");
    // Names are sorted by code point (what SigV4 and the SDK's URL formatting both do).
    const query: [string, string][] = [
      ...fixedQuery,
      ["X-Amz-Expires", String(request.expiresInSeconds)],
      ["X-Amz-SignedHeaders", escapeUri(signedHeaders)],
      ...Object.entries(request.query).map(([name, value]): [string, string] => [escapeUri(name), escapeUri(value)]),
    ];
    query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const canonicalRequest = [
      request.method,
      path,
      query.map(([name, value]) => `${name}=${value}`).join("&"),
      headerNames.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, " ")}\n`).join(""),
      signedHeaders,
      UNSIGNED_PAYLOAD,
    ].join("\n");
    const stringToSign = `AWS4-HMAC-SHA256\n${timestamp}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
    const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
    const at = query.findIndex(([name]) => name > "X-Amz-Signature");
    query.splice(at === -1 ? query.length : at, 0, ["X-Amz-Signature", signature]);
    return `${endpoint.origin}${path}?${query.map(([name, value]) => `${name}=${value}`).join("&")}`;
  };
}
