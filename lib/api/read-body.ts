import { AppError } from "./errors";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * What each kind of route accepts. A route never needs more: the largest a person's client
 * sends is the completion of an upload that lists all 10,000 parts with their ETags (~66
 * bytes each).
 */
export const bodyLimits = {
  json: 16 * KiB,
  uploadPartsList: 1 * MiB,
  stripeWebhook: 512 * KiB,
  // A run request from Inngest carries the event and the steps' saved results. Inngest sends
  // an SDK at most 4 MB in one request (a larger run state is fetched through its API
  // instead, the request saying so with ctx.use_api); the margin above that keeps a request
  // at Inngest's own ceiling from being refused and retried without end.
  inngestRun: 5 * MiB,
} as const;

/**
 * The largest body a route behind proxy.ts accepts: the Stripe webhook and the jobs
 * endpoint are not behind it (proxy.ts's matcher), so their caps do not count here.
 */
export const largestProxiedBodyLimit = Math.max(bodyLimits.json, bodyLimits.uploadPartsList);

function describeBytes(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`;
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(
    "body_too_large",
    `The request body is too large: this endpoint accepts at most ${describeBytes(maxBytes)}.`,
    { maxBytes },
  );
}

/** Refuses with 413 a request whose Content-Length is over `maxBytes`, reading nothing. */
export function assertDeclaredLengthWithin(headers: Headers, maxBytes: number): void {
  const declared = headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
}

/**
 * Refuses with 411 a request whose body comes without a Content-Length (chunked). For a
 * route behind proxy.ts, Next.js buffers such a body up to proxyClientMaxBodySize and then
 * silently hands the route only that much: the route could not tell a cut-off body from a
 * whole one, so it is asked for the length instead (browsers and HTTP clients send one).
 */
export function assertBodyLengthDeclared(headers: Headers): void {
  if (headers.get("content-length") !== null || headers.get("transfer-encoding") === null) return;
  throw new AppError(
    "length_required",
    `Send the request body with a Content-Length header: a body of unknown length is not accepted here (at most ${describeBytes(largestProxiedBodyLimit)}).`,
  );
}

/**
 * The request body as text, refused with 413 as soon as it is known to exceed `maxBytes`:
 * before reading when Content-Length says so, otherwise the moment the streamed bytes pass
 * the cap (a chunked body has no length to check), so no more than the cap is ever held.
 */
export async function readBodyText(request: Request, { maxBytes }: { maxBytes: number }): Promise<string> {
  assertDeclaredLengthWithin(request.headers, maxBytes);
  if (!request.body) return "";

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, received));
}

/**
 * The request body parsed as JSON under a size cap (see readBodyText). Malformed JSON
 * throws the SyntaxError that toErrorResponse answers with 400; an empty body is
 * `whenEmpty` when the route allows one, malformed otherwise.
 */
export async function readJsonBody(
  request: Request,
  options: { maxBytes: number; whenEmpty?: unknown },
): Promise<unknown> {
  const text = await readBodyText(request, options);
  if (text === "" && options.whenEmpty !== undefined) return options.whenEmpty;
  return JSON.parse(text);
}
