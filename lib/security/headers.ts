// No settings are read here: next.config.ts loads this file when the app is built.

/** What a page's policy must allow beyond the app itself. */
export type PolicySettings = {
  appUrl: string;
  /** Where presigned URLs point: the browser plays media, shows images and PUTs parts there. */
  storageOrigins: string[];
  /** Supabase mode: the browser client signs in against this origin. */
  supabaseOrigin?: string;
  development: boolean;
};

export type HeaderPair = { key: string; value: string };

// JSON, SSE and redirects load nothing and are framed by no one.
export const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

const isHttps = (url: string) => new URL(url).protocol === "https:";

/** 128 random bits, fresh for every page response: a script must carry it to run. */
export function newNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return Buffer.from(random(new Uint8Array(16))).toString("base64");
}

/**
 * The policy of an HTML page. Next.js reads the nonce from this header on the request and
 * puts it on its own scripts and inline styles; 'strict-dynamic' lets those scripts load
 * the chunks they import, and nothing else runs. React's development build needs eval for
 * its error overlay, so 'unsafe-eval' is there in development only.
 */
export function pageContentSecurityPolicy(nonce: string, settings: PolicySettings): string {
  const storage = settings.storageOrigins.join(" ");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${settings.development ? " 'unsafe-eval'" : ""}`,
    // next dev's overlay adds <style> elements without the nonce (and a nonce would turn
    // 'unsafe-inline' off), so development allows inline styles; a built app does not.
    settings.development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    `img-src 'self' blob: data: ${storage}`,
    `media-src 'self' blob: ${storage}`,
    `connect-src 'self' ${storage}${settings.supabaseOrigin ? ` ${settings.supabaseOrigin}` : ""}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // Over http (local runs) upgrading would send media and part PUTs to an https port nobody serves.
  if (isHttps(settings.appUrl)) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Two years, subdomains too; only an https APP_URL can promise that the site stays on https. */
export function strictTransportSecurity(appUrl: string): string | undefined {
  return isHttps(appUrl) ? "max-age=63072000; includeSubDomains" : undefined;
}

/** Headers every response carries, the routes proxy.ts skips included (next.config.ts headers()). */
export function staticSecurityHeaders(appUrl: string): HeaderPair[] {
  const hsts = strictTransportSecurity(appUrl);
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    // For browsers that predate frame-ancestors.
    { key: "X-Frame-Options", value: "DENY" },
    ...(hsts ? [{ key: "Strict-Transport-Security", value: hsts }] : []),
  ];
}

/**
 * Origins of the presigned URLs the browser gets: the public endpoint when set, and with
 * virtual-hosted addressing the bucket's own host in front of it (as the SDK builds it).
 */
export function storageOrigins(endpoint: string, bucket: string, forcePathStyle: boolean): string[] {
  const url = new URL(endpoint);
  const origins = [url.origin];
  if (!forcePathStyle) origins.push(`${url.protocol}//${bucket}.${url.host}`);
  return origins;
}

export type SecurityHeaders = {
  /** Headers for the response. */
  response: HeaderPair[];
  /** For the request the page renders from: Next.js takes the nonce from its CSP header. */
  request: HeaderPair[];
};

/**
 * The headers proxy.ts sets, from settings read at run time: a page gets a policy with a new
 * nonce, an API route the JSON one, and HSTS follows this process's APP_URL (next.config.ts
 * headers() are fixed when the app is built).
 */
export function securityHeadersFor(pathname: string, settings: PolicySettings, nonce: string = newNonce()): SecurityHeaders {
  const isApi = pathname === "/api" || pathname.startsWith("/api/");
  const policy = isApi ? apiContentSecurityPolicy : pageContentSecurityPolicy(nonce, settings);
  const hsts = strictTransportSecurity(settings.appUrl);
  return {
    response: [
      { key: "Content-Security-Policy", value: policy },
      ...(hsts ? [{ key: "Strict-Transport-Security", value: hsts }] : []),
    ],
    request: isApi
      ? []
      : [
          { key: "Content-Security-Policy", value: policy },
          { key: "x-nonce", value: nonce },
        ],
  };
}
