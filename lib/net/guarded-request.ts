import http, { type IncomingMessage } from "node:http";
import https, { type RequestOptions } from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { UrlRefusedError, type CheckedTarget } from "./ssrf-guard";

// The one HTTP client for URLs a person gave the server (a pasted video link, a webhook
// endpoint). The first URL and every redirect it follows pass the SSRF guard first, and
// each connection goes to the address the guard checked: no second DNS lookup, so a name
// whose answer changes between check and connect (DNS rebinding) cannot move it.

/** No answer in time, or no connection: worth trying again later. */
export class RequestFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RequestFailedError";
  }
}

export type GuardedRequest<T> = {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  /** The SSRF guard for this kind of URL: refuses it (UrlRefusedError) or names the address to use. */
  check: (url: string) => Promise<CheckedTarget>;
  /** Redirects to follow, each target checked like the first URL; without, a redirect is the answer. */
  followRedirects?: { max: number; tooMany: string };
  /** How long an answer may take: its headers, and whatever `read` takes from it. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** What to take from the final answer, within `timeoutMs`. */
  read: (response: IncomingMessage) => T | Promise<T>;
  /** The failures in the caller's words. */
  messages: { noAnswer: string; connectionFailed: (reason: string) => string };
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A DNS lookup that only ever answers with the address the guard checked. */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

/** Request options that connect to the checked address while the Host header and TLS name stay the URL's host. */
function pinnedRequestOptions(target: CheckedTarget, request: GuardedRequest<unknown>): RequestOptions {
  const { url } = target;
  return {
    protocol: url.protocol,
    hostname: target.hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: request.method,
    headers: { ...request.headers, host: url.host },
    lookup: pinnedLookup(target),
    agent: false,
    signal: request.signal,
    // TLS names the host it was given, never a bare address.
    ...(url.protocol === "https:" && !ipaddr.isValid(target.hostname) ? { servername: target.hostname } : {}),
  };
}

type Exchange<T> = { redirectTo: string } | { answer: T };

function exchange<T>(target: CheckedTarget, request: GuardedRequest<T>): Promise<Exchange<T>> {
  const client = target.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const sent = client.request(pinnedRequestOptions(target, request), (response) => {
      const location = response.headers.location;
      if (request.followRedirects && REDIRECT_STATUSES.has(response.statusCode ?? 0) && location) {
        clearTimeout(timer);
        response.resume();
        resolve({ redirectTo: new URL(location, target.url).href });
        return;
      }
      void Promise.resolve(request.read(response)).then(
        (answer) => {
          clearTimeout(timer);
          resolve({ answer });
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    const timer = setTimeout(() => sent.destroy(new RequestFailedError(request.messages.noAnswer)), request.timeoutMs);
    sent.on("error", (error) => {
      clearTimeout(timer);
      reject(
        error instanceof RequestFailedError || error.name === "AbortError"
          ? error
          : new RequestFailedError(request.messages.connectionFailed(error.message)),
      );
    });
    sent.end(request.body);
  });
}

/**
 * Sends a request through the SSRF guard, following at most `followRedirects.max` checked
 * redirects, and resolves with what `read` takes from the final answer (any status: the
 * caller decides) and the URL that gave it. Rejects with UrlRefusedError for a URL the
 * guard refuses and RequestFailedError when there is no answer.
 */
export async function guardedRequest<T>(rawUrl: string, request: GuardedRequest<T>): Promise<{ answer: T; url: URL }> {
  let current = rawUrl;
  for (let redirects = 0; ; redirects++) {
    const target = await request.check(current);
    const result = await exchange(target, request);
    if ("answer" in result) return { answer: result.answer, url: target.url };
    // exchange() hands back a redirect only to a request that follows them.
    const { max, tooMany } = request.followRedirects!;
    if (redirects >= max) throw new UrlRefusedError(tooMany);
    current = result.redirectTo;
  }
}
