import { AppError } from "./errors";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { env } from "@/lib/env";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

// Only requests that carry ambient credentials (the session cookie), or that create them
// (sign-in), can be forged by another site. A script or another app that sends a bearer
// token and no cookie is not a cross-site risk, so it is not held to these rules.
function carriesOnlyBearer(request: Request): boolean {
  const bearer = /^Bearer\s+\S/i.test(request.headers.get("authorization") ?? "");
  const cookie = request.headers.get("cookie") ?? "";
  return bearer && !cookie.split(";").some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`) || /^sb-[^=]*-auth-token/.test(part.trim()));
}

// The app's configured origin, and the origin the browser itself addressed (the Host it
// sent): a page of another origin cannot make a browser send this app's Host with its own
// Origin, so a match with either is the same origin (the app opened as 127.0.0.1 as well
// as localhost, say).
function allowedOrigins(request: Request): Set<string> {
  const origins = new Set([new URL(env().APP_URL).origin]);
  try {
    const url = new URL(request.url);
    origins.add(url.origin);
    const host = request.headers.get("host");
    if (host) origins.add(new URL(`${url.protocol}//${host}`).origin);
  } catch {
    // a request URL or Host that does not parse is not an origin anyone can match
  }
  return origins;
}

/**
 * Refuses a state-changing request that a browser sent from another origin (another site,
 * or another origin on the same site), and one whose body is not JSON: a form on another
 * site can send neither a JSON content type nor this app's Origin.
 */
export function assertSameOriginJson(request: Request): void {
  const method = request.method.toUpperCase();
  if (!STATE_CHANGING.has(method) || carriesOnlyBearer(request)) return;

  const fetchSite = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  const foreignSite = fetchSite !== null && fetchSite !== "same-origin" && fetchSite !== "none";
  const foreignOrigin = origin !== null && !allowedOrigins(request).has(origin);
  if (foreignSite || foreignOrigin) {
    throw new AppError(
      "forbidden_origin",
      "This request came from another website, so it was refused. Use ClipCrafter from its own pages, or send an API token.",
    );
  }

  const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (WITH_BODY.has(method) && contentType !== "application/json") {
    throw new AppError("unsupported_media_type", "Send the request body as JSON with Content-Type: application/json.");
  }
}
