import { env } from "@/lib/env";

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/**
 * Calls a Next.js route handler the way the framework does: a real Request in, a real
 * Response out, route params as a promise. The request is addressed to the app's own
 * address (APP_URL), as a browser on the app's page addresses it.
 */
export async function callRoute<P extends Record<string, string> = Record<string, never>>(
  handler: Handler<P>,
  options: {
    method?: string;
    path?: string;
    params?: P;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: any; response: Response }> {
  const hasBody = options.body !== undefined;
  const request = new Request(new URL(options.path ?? "/", env().APP_URL), {
    method: options.method ?? (hasBody ? "POST" : "GET"),
    headers: { ...(hasBody ? { "content-type": "application/json" } : {}), ...options.headers },
    body: hasBody ? (typeof options.body === "string" ? options.body : JSON.stringify(options.body)) : undefined,
  });
  const response = await handler(request, { params: Promise.resolve((options.params ?? {}) as P) });
  const text = await response.clone().text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: response.status, body, response };
}
