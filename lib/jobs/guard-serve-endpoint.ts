import { NextRequest } from "next/server";
import { AppError, toErrorResponse } from "@/lib/api/errors";
import { bodyLimits, readBodyText } from "@/lib/api/read-body";
import { env } from "@/lib/env";

type ServeHandler<Ctx> = (request: NextRequest, context: Ctx) => Promise<Response>;

/**
 * The request with its body read under the cap and handed over as text. The SDK reads the
 * whole body and parses it before it checks the signature, so an unread body would be held
 * in memory at whatever size a stranger sent.
 */
async function withBoundedBody(request: Request): Promise<NextRequest> {
  const text = await readBodyText(request, { maxBytes: bodyLimits.inngestRun });
  return new NextRequest(request.url, { method: request.method, headers: request.headers, body: text });
}

/**
 * Who may reach the Inngest serve endpoint depends on who runs the jobs:
 * - embedded: this process runs them in-process, so the endpoint executes nothing at all;
 * - dev: the local Dev Server, which does not sign its requests. The app listens on
 *   loopback only, and anything a browser sends (it always names the page's origin or
 *   site) is refused, so a web page cannot forge a run against a developer's machine;
 * - cloud: the SDK runs only requests signed with INNGEST_SIGNING_KEY (its client is
 *   created with isDev false, so no environment variable can turn that check off). A POST
 *   or PUT without a signature is refused here, before its body is read; a signed one is
 *   read up to bodyLimits.inngestRun (the signature is checked over the body, so it can
 *   only be checked once the body is in).
 */
export function guardServeEndpoint<Ctx>(handler: ServeHandler<Ctx>): ServeHandler<Ctx> {
  return async (request, context) => {
    let admitted: NextRequest;
    try {
      admitted = await admit(request);
    } catch (error) {
      return toErrorResponse(error);
    }
    return handler(admitted, context);
  };
}

/** The request the SDK may see, or the refusal (an AppError) of one it must not. */
async function admit(request: NextRequest): Promise<NextRequest> {
  const mode = env().inngestMode;
  if (mode === "embedded") {
    throw new AppError("not_found", "The jobs endpoint is off: this server runs its jobs in-process (embedded mode).");
  }
  if (mode === "dev" && (request.headers.has("origin") || request.headers.has("sec-fetch-site"))) {
    throw new AppError("forbidden_origin", "The jobs endpoint only answers the Inngest Dev Server, not a browser.");
  }
  if (request.method !== "POST" && request.method !== "PUT") return request;
  if (mode === "cloud" && !request.headers.has("x-inngest-signature")) {
    throw new AppError(
      "unauthorized",
      "The jobs endpoint runs only requests Inngest signed, and this one has no X-Inngest-Signature header. To sync the app, use the Inngest dashboard (it signs its request).",
    );
  }
  return withBoundedBody(request);
}
