import { timingSafeEqual } from "node:crypto";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { KoaMiddleware } from "./list-multipart-uploads";

// s3rver accepts any request, signed or not (its V4 check is a stub). R2 and S3 refuse a
// request whose Signature V4 does not match, so locally anyone on the machine — or any web
// page, through a form POST — could overwrite another person's objects, and a presigned URL
// used for the wrong key or headers would work here and fail in production. This checks
// every request the way S3 does, by re-signing it with the SDK's own signer and comparing.

type RequestContext = {
  method: string;
  status: number;
  type: string;
  body: unknown;
  req: { url?: string };
  headers: Record<string, string | string[] | undefined>;
  get(header: string): string;
  set(header: string, value: string): void;
};

export type SignatureCheckOptions = {
  accessKeyId: string;
  secretAccessKey: string;
  /** Origins the bucket's CORS rule allows: a refusal carries the CORS header so the page can read why. */
  allowedOrigins: string[];
  now?: () => number;
};

type Refusal = { status: number; code: string; message: string };

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
// S3 refuses a header-signed request whose x-amz-date is further than this from its clock.
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const QUERY_AUTH_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"];

const refusal = (code: string, message: string, status = 403): Refusal => ({ status, code, message });

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);

/** `20261205T182455Z` → Date, or null when malformed. */
function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The raw path (as the client encoded and signed it) and the decoded query, as the SDK's signer takes it. */
function splitUrl(rawUrl: string): { path: string; query: Record<string, string | string[]> } | null {
  const at = rawUrl.indexOf("?");
  const path = at === -1 ? rawUrl : rawUrl.slice(0, at);
  const query: Record<string, string | string[]> = {};
  if (at === -1) return { path, query };
  try {
    for (const pair of rawUrl.slice(at + 1).split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      const key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1));
      const existing = query[key];
      query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
  } catch {
    return null;
  }
  return { path, query };
}

/** `<key>/<yyyymmdd>/<region>/s3/aws4_request` */
function parseCredential(credential: string, accessKeyId: string, shortDate: string): { region: string } | Refusal {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[3] !== "s3" || parts[4] !== "aws4_request" || !parts[2]) {
    return refusal("AuthorizationQueryParametersError", `The credential "${credential}" is malformed; expected "<key>/<YYYYMMDD>/<region>/s3/aws4_request".`, 400);
  }
  if (parts[0] !== accessKeyId) return refusal("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  if (parts[1] !== shortDate) return refusal("SignatureDoesNotMatch", `The credential date ${parts[1]} is not the date of the request (${shortDate}).`);
  return { region: parts[2] };
}

function headerValue(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : value;
}

/** The headers the client says it signed, with the values this request carries (absent ones left out, so they cannot match). */
function signedHeaderValues(ctx: RequestContext, signedHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(ctx, name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function sameSignature(provided: string, expected: string): boolean {
  const a = Buffer.from(provided, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

function signer(options: SignatureCheckOptions, region: string): SignatureV4 {
  // uriEscapePath false and applyChecksum false are what the S3 client and presigner use.
  return new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

const MISMATCH = refusal(
  "SignatureDoesNotMatch",
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
);

async function checkHeaderAuth(ctx: RequestContext, options: SignatureCheckOptions, path: string, query: Record<string, string | string[]>): Promise<Refusal | null> {
  const authorization = ctx.get("authorization");
  const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(authorization.trim());
  if (!m) return refusal("AccessDenied", "Only AWS Signature Version 4 (AWS4-HMAC-SHA256) with Credential, SignedHeaders and Signature is accepted.");
  const [, credential, signedHeaderList, signature] = m as unknown as [string, string, string, string];
  const amzDate = ctx.get("x-amz-date");
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) return refusal("AccessDenied", "AWS authentication requires a valid x-amz-date header.");
  const scope = parseCredential(credential, options.accessKeyId, amzDate.slice(0, 8));
  if ("code" in scope) return scope;
  const now = (options.now ?? Date.now)();
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return refusal("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
  }
  const payloadHash = ctx.get("x-amz-content-sha256");
  if (!payloadHash) return refusal("InvalidRequest", "Missing required header for this request: x-amz-content-sha256.", 400);
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return refusal("AccessDenied", "The host header must be signed.");

  const headers = signedHeaderValues(ctx, signedHeaders);
  // The signer adds x-amz-date itself from signingDate; the payload hash is the header's value, as on S3.
  delete headers["x-amz-date"];
  const signed = await signer(options, scope.region).sign(
    { method: ctx.method, protocol: "http:", hostname: "", path, query, headers: { ...headers, "x-amz-content-sha256": payloadHash } },
    { signingDate, signableHeaders: new Set(signedHeaders), unsignableHeaders: new Set(signedHeaders.includes("x-amz-content-sha256") ? [] : ["x-amz-content-sha256"]) },
  );
  const expected = /SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization ?? signed.headers.Authorization));
  if (!expected || expected[1] !== signedHeaderList || !sameSignature(signature, expected[2]!)) return MISMATCH;
  // The SDK client here (requestChecksumCalculation WHEN_REQUIRED) never sends aws-chunked bodies,
  // and s3rver would store their chunk framing as the object's bytes.
  if (payloadHash.startsWith("STREAMING-")) {
    return refusal("NotImplemented", `This local storage server does not accept aws-chunked payloads (x-amz-content-sha256: ${payloadHash}).`, 501);
  }
  return null;
}

async function checkQueryAuth(ctx: RequestContext, options: SignatureCheckOptions, path: string, query: Record<string, string | string[]>): Promise<Refusal | null> {
  const params: Record<string, string> = {};
  for (const name of QUERY_AUTH_PARAMS) {
    const value = query[name];
    if (typeof value !== "string" || value === "") {
      return refusal("AuthorizationQueryParametersError", `Query-string authentication version 4 requires the ${QUERY_AUTH_PARAMS.join(", ")} parameters (${name} is missing or repeated).`, 400);
    }
    params[name] = value;
  }
  if (params["X-Amz-Algorithm"] !== ALGORITHM) {
    return refusal("AuthorizationQueryParametersError", `X-Amz-Algorithm only supports "${ALGORITHM}".`, 400);
  }
  const signingDate = parseAmzDate(params["X-Amz-Date"]!);
  if (!signingDate) return refusal("AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".", 400);
  const expiresIn = /^\d+$/.test(params["X-Amz-Expires"]!) ? Number(params["X-Amz-Expires"]) : NaN;
  if (!(expiresIn >= 1 && expiresIn <= MAX_EXPIRES_SECONDS)) {
    return refusal("AuthorizationQueryParametersError", `X-Amz-Expires must be between 1 and ${MAX_EXPIRES_SECONDS} seconds.`, 400);
  }
  const scope = parseCredential(params["X-Amz-Credential"]!, options.accessKeyId, params["X-Amz-Date"]!.slice(0, 8));
  if ("code" in scope) return scope;
  const now = (options.now ?? Date.now)();
  if (now > signingDate.getTime() + expiresIn * 1000) return refusal("AccessDenied", "Request has expired");
  if (signingDate.getTime() - now > MAX_CLOCK_SKEW_MS) return refusal("AccessDenied", "Request is not valid yet");
  const signedHeaderList = params["X-Amz-SignedHeaders"]!;
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return refusal("AccessDenied", "The host header must be signed.");

  const unsignedQuery = { ...query };
  for (const name of QUERY_AUTH_PARAMS) delete unsignedQuery[name];
  const headers = signedHeaderValues(ctx, signedHeaders);
  // Presigned URLs carry no body hash: UNSIGNED-PAYLOAD unless one was put in the query or a header, as on S3.
  const contentSha = query["X-Amz-Content-Sha256"] ?? headers["x-amz-content-sha256"] ?? ctx.get("x-amz-content-sha256");
  const payloadHash = typeof contentSha === "string" && contentSha !== "" ? contentSha : "UNSIGNED-PAYLOAD";
  const names = Object.keys(headers);
  const presigned = await signer(options, scope.region).presign(
    { method: ctx.method, protocol: "http:", hostname: "", path, query: unsignedQuery, headers: { ...headers, "x-amz-content-sha256": payloadHash } },
    {
      signingDate,
      expiresIn,
      signableHeaders: new Set(signedHeaders),
      unsignableHeaders: new Set(signedHeaders.includes("x-amz-content-sha256") ? [] : ["x-amz-content-sha256"]),
      // Signed x-amz-* headers stay headers (as the client sent them); only the body hash stays out of the query.
      unhoistableHeaders: new Set([...names, "x-amz-content-sha256"]),
    },
  );
  const expectedSignature = presigned.query?.["X-Amz-Signature"];
  if (presigned.query?.["X-Amz-SignedHeaders"] !== signedHeaderList || typeof expectedSignature !== "string") return MISMATCH;
  return sameSignature(params["X-Amz-Signature"]!, expectedSignature) ? null : MISMATCH;
}

/** A browser POST-object (HTML form) upload: a POST that is none of the SDK's multipart or batch-delete calls. */
function isFormUpload(ctx: RequestContext, query: Record<string, string | string[]>): boolean {
  if (ctx.method !== "POST") return false;
  if (ctx.get("content-type").toLowerCase().startsWith("multipart/form-data")) return true;
  return !("uploads" in query || "uploadId" in query || "delete" in query);
}

async function check(ctx: RequestContext, options: SignatureCheckOptions): Promise<Refusal | null> {
  const url = splitUrl(ctx.req.url ?? "/");
  if (!url) return refusal("InvalidArgument", "The query string is not valid percent-encoding.", 400);
  const { path, query } = url;
  if (isFormUpload(ctx, query)) {
    return refusal("AccessDenied", "Browser-based POST (form) uploads are not accepted; upload with a presigned PUT.");
  }
  const hasHeaderAuth = ctx.get("authorization") !== "";
  const hasQueryAuth = "X-Amz-Algorithm" in query || "X-Amz-Signature" in query || "X-Amz-Credential" in query;
  if (hasHeaderAuth && hasQueryAuth) {
    return refusal("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.", 400);
  }
  if (hasHeaderAuth) return checkHeaderAuth(ctx, options, path, query);
  if (hasQueryAuth) return checkQueryAuth(ctx, options, path, query);
  return refusal("AccessDenied", "Access Denied: the request is not signed (AWS Signature Version 4 is required).");
}

/**
 * Refuses every request that is not signed with the local credentials (AWS Signature V4,
 * header or presigned query), as R2 does. CORS preflights stay unauthenticated, as on S3/R2.
 * Must run before s3rver's own middlewares, on the request exactly as the client sent it.
 */
export function verifySignatures(options: SignatureCheckOptions): KoaMiddleware {
  return async (koa, next) => {
    const ctx = koa as unknown as RequestContext;
    if (ctx.method === "OPTIONS") return next();
    const refused = await check(ctx, options);
    if (!refused) return next();
    const origin = ctx.get("origin");
    if (origin && options.allowedOrigins.includes(origin)) ctx.set("Access-Control-Allow-Origin", origin);
    ctx.status = refused.status;
    if (ctx.method === "HEAD") return;
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refused.code}</Code><Message>${escapeXml(refused.message)}</Message></Error>`;
  };
}
