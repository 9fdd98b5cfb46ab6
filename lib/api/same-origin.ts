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

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

// The origins the app is served at: APP_URL's and, when that is on loopback, the same port
// under each loopback name (the app opened as 127.0.0.1 as well as localhost). Never the Host
// a request names: under DNS rebinding a page's own name (attacker.example) resolves to this
// server, so the browser sends that page's Host and Origin alike and they match each other.
function appOrigins(appUrl: URL): Set<string> {
  const origins = new Set([appUrl.origin]);
  if (LOOPBACK_NAMES.includes(appUrl.hostname)) {
    for (const name of LOOPBACK_NAMES) origins.add(new URL(`${appUrl.protocol}//${name}${appUrl.port ? `:${appUrl.port}` : ""}`).origin);
  }
  return origins;
}

// The host the request was addressed to, as an origin with APP_URL's scheme (behind a proxy
// that ends TLS the request itself arrives over http); undefined when it does not parse.
function addressedOrigin(request: Request, appUrl: URL): { host: string; origin: string | undefined } {
  let host = request.headers.get("host") ?? "";
  try {
    host ||= new URL(request.url).host;
    return { host, origin: new URL(`${appUrl.protocol}//${host}`).origin };
  } catch {
    return { host, origin: undefined };
  }
}

/**
 * Refuses a state-changing request addressed to a host the app is not served at (a name
 * rebound to this server), one that a browser sent from another origin (another site, or
 * another origin on the same site), and one whose body is not JSON: a form on another site
 * can send neither a JSON content type nor this app's Origin.
 */
export function assertSameOriginJson(request: Request): void {
  const method = request.method.toUpperCase();
  if (!STATE_CHANGING.has(method) || carriesOnlyBearer(request)) return;

  const appUrl = new URL(env().APP_URL);
  const allowed = appOrigins(appUrl);
  const addressed = addressedOrigin(request, appUrl);
  if (!addressed.origin || !allowed.has(addressed.origin)) {
    throw new AppError(
      "forbidden_origin",
      `This request was addressed to "${addressed.host}", which is not where ClipCrafter is served (${appUrl.origin}), so it was refused. Open ClipCrafter at ${appUrl.origin}; a reverse proxy in front of it must pass the Host header on.`,
    );
  }

  const fetchSite = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  const foreignSite = fetchSite !== null && fetchSite !== "same-origin" && fetchSite !== "none";
  const foreignOrigin = origin !== null && !allowed.has(origin);
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
