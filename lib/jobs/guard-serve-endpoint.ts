import { AppError, errorBody } from "@/lib/api/errors";
import { env } from "@/lib/env";

type ServeHandler<Req extends Request, Ctx> = (request: Req, context: Ctx) => Promise<Response>;

function refuse(error: AppError): Response {
  return Response.json(errorBody(error), { status: error.status });
}

/**
 * Who may reach the Inngest serve endpoint depends on who runs the jobs:
 * - embedded: this process runs them in-process, so the endpoint executes nothing at all;
 * - dev: the local Dev Server, which does not sign its requests. The app listens on
 *   loopback only, and anything a browser sends (it always names the page's origin or
 *   site) is refused, so a web page cannot forge a run against a developer's machine;
 * - cloud: the SDK runs only requests signed with INNGEST_SIGNING_KEY (its client is
 *   created with isDev false, so no environment variable can turn that check off).
 */
export function guardServeEndpoint<Req extends Request, Ctx>(handler: ServeHandler<Req, Ctx>): ServeHandler<Req, Ctx> {
  return async (request, context) => {
    const mode = env().inngestMode;
    if (mode === "embedded") {
      return refuse(
        new AppError("not_found", "The jobs endpoint is off: this server runs its jobs in-process (embedded mode)."),
      );
    }
    if (mode === "dev" && (request.headers.has("origin") || request.headers.has("sec-fetch-site"))) {
      return refuse(new AppError("forbidden_origin", "The jobs endpoint only answers the Inngest Dev Server, not a browser."));
    }
    return handler(request, context);
  };
}
