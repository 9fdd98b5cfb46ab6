import type { IncomingMessage } from "node:http";
import type { Resolver } from "@/lib/net/ssrf-guard";
import { guardedRequest } from "@/lib/net/guarded-request";
import { checkEndpointUrl } from "./check-endpoint-url";

// A delivery is one POST to the endpoint through the SSRF guard (checkEndpointUrl, whose
// refusals speak of webhooks). Redirects are never followed: a receiver that answers 3xx
// has not accepted the message.

export type PostResponse = { status: number; body: string; location?: string };

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
 * POSTs `body` as JSON; resolves with any HTTP answer (the first 2 KB of its body), rejects
 * with UrlRefusedError when the guard refuses the URL and RequestFailedError when there is
 * no answer in `timeoutMs`.
 */
export async function guardedPost(
  rawUrl: string,
  params: { headers: Record<string, string>; body: string; timeoutMs: number; resolver?: Resolver },
): Promise<PostResponse> {
  const { answer } = await guardedRequest(rawUrl, {
    method: "POST",
    headers: {
      ...params.headers,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(params.body)),
      "user-agent": "ClipCrafter-Webhooks/1.0",
    },
    body: params.body,
    check: (url) => checkEndpointUrl(url, { resolver: params.resolver }),
    timeoutMs: params.timeoutMs,
    read: async (response) => ({
      status: response.statusCode ?? 0,
      body: await readBeginning(response),
      location: response.headers.location,
    }),
    messages: {
      noAnswer: `No answer within ${params.timeoutMs / 1000} s.`,
      connectionFailed: (reason) => `Could not connect: ${reason}`,
    },
  });
  return answer;
}
