import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { pinnedRequestOptions } from "./pinned-request";
import { checkFetchTarget, UrlRefusedError, type CheckedTarget, type Resolver } from "./ssrf-guard";

export type GuardOptions = {
  allowedHosts?: string[];
  resolver?: Resolver;
  connectTimeoutMs: number;
  signal?: AbortSignal;
  maxRedirects?: number;
};

export type GuardedResponse = { response: IncomingMessage; url: URL; redirects: number };

export class FetchFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FetchFailedError";
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function requestOnce(target: CheckedTarget, options: GuardOptions): Promise<IncomingMessage> {
  const { url } = target;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      pinnedRequestOptions(target, {
        method: "GET",
        headers: {
          "user-agent": "ClipCrafter/1.0 (video import)",
          accept: "video/*, application/octet-stream;q=0.9, */*;q=0.1",
        },
        signal: options.signal,
      }),
      (response) => {
        clearTimeout(connectTimer);
        resolve(response);
      },
    );
    const connectTimer = setTimeout(() => {
      request.destroy(new FetchFailedError(`The server did not answer within ${Math.round(options.connectTimeoutMs / 1000)} s.`));
    }, options.connectTimeoutMs);
    request.on("error", (error) => {
      clearTimeout(connectTimer);
      reject(
        error instanceof FetchFailedError || error.name === "AbortError"
          ? error
          : new FetchFailedError(`Could not download the link: ${error.message}`),
      );
    });
    request.end();
  });
}

/**
 * GET through the SSRF guard: the URL and every redirect target are checked, at most
 * `maxRedirects` (5) redirects are followed, and each connection is pinned to the checked
 * address. Resolves with the first non-redirect response (any status; the caller decides).
 */
export async function guardedGet(raw: string, options: GuardOptions): Promise<GuardedResponse> {
  const maxRedirects = options.maxRedirects ?? 5;
  let current = raw;
  for (let redirects = 0; ; redirects++) {
    const target = await checkFetchTarget(current, options);
    const response = await requestOnce(target, options);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) {
      return { response, url: target.url, redirects };
    }
    response.resume();
    if (redirects >= maxRedirects) {
      throw new UrlRefusedError(`The link redirects more than ${maxRedirects} times; import the final link directly.`);
    }
    current = new URL(location, target.url).href;
  }
}
