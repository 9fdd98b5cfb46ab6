import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { pinnedRequestOptions } from "@/lib/imports/pinned-request";
import type { CheckedTarget, Resolver } from "@/lib/imports/ssrf-guard";
import { checkEndpointUrl } from "./check-endpoint-url";

// One POST through the SSRF guard: the URL is checked first (checkEndpointUrl, which
// throws UrlRefusedError) and the connection is pinned to the address that was checked,
// so a DNS answer that changes after the check (rebinding) cannot move it. Redirects are
// never followed: a receiver that answers 3xx has not accepted the message.

export type PostResponse = { status: number; body: string; location?: string };

export class PostFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PostFailedError";
  }
}

const RESPONSE_BODY_LIMIT = 2048;

function readBeginning(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString("utf8").slice(0, RESPONSE_BODY_LIMIT));
    response.on("data", (chunk: Buffer) => {
      if (size < RESPONSE_BODY_LIMIT) chunks.push(chunk.subarray(0, RESPONSE_BODY_LIMIT - size));
      size += chunk.length;
      if (size >= RESPONSE_BODY_LIMIT) {
        response.destroy();
        done();
      }
    });
    response.on("end", done);
    response.on("error", done);
    response.on("close", done);
  });
}

/**
 * POSTs `body` as JSON; resolves with any HTTP answer, rejects with UrlRefusedError when
 * the guard refuses the URL and PostFailedError when there is no answer in `timeoutMs`.
 */
export async function guardedPost(
  rawUrl: string,
  params: { headers: Record<string, string>; body: string; timeoutMs: number; resolver?: Resolver },
): Promise<PostResponse> {
  const target = await checkEndpointUrl(rawUrl, { resolver: params.resolver });
  return postTo(target, params);
}

function postTo(target: CheckedTarget, params: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<PostResponse> {
  const { url } = target;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      pinnedRequestOptions(target, {
        method: "POST",
        headers: {
          ...params.headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(params.body)),
          "user-agent": "ClipCrafter-Webhooks/1.0",
        },
      }),
      (response) => {
        void readBeginning(response).then((body) => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body, location: response.headers.location });
        });
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new PostFailedError(`No answer within ${params.timeoutMs / 1000} s.`));
    }, params.timeoutMs);
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error instanceof PostFailedError ? error : new PostFailedError(`Could not connect: ${error.message}`));
    });
    request.end(params.body);
  });
}
