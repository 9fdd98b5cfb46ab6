import { createServer } from "node:http";
import { vi } from "vitest";
import { setEnvForProcess } from "@/lib/env";

export type RegisteredFunction = {
  id: string;
  name: string;
  triggers: unknown[];
  concurrency?: unknown;
  cancel?: unknown;
  steps: Record<string, { retries?: { attempts: number } }>;
};
export type RegisterRequest = { url: string; functions: RegisteredFunction[] };

/**
 * A local HTTP server standing in for the Inngest Dev Server's register API, so a sync of
 * the serve endpoint can be inspected. Points the Inngest client at it (dev mode) and
 * loads a fresh copy of the serve route; `stop` restores embedded mode.
 */
export async function captureInngestRegistration(): Promise<{
  route: typeof import("@/app/api/inngest/route");
  registered: () => RegisterRequest | undefined;
  stop: () => void;
}> {
  let registered: RegisterRequest | undefined;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url?.startsWith("/fn/register")) registered = JSON.parse(body);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, modified: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  setEnvForProcess({ INNGEST_MODE: "dev", INNGEST_DEV_SERVER_URL: origin });
  vi.resetModules();
  const route = await import("@/app/api/inngest/route");
  return {
    route,
    registered: () => registered,
    stop: () => {
      server.close();
      setEnvForProcess({ INNGEST_MODE: "embedded", INNGEST_DEV_SERVER_URL: undefined });
    },
  };
}
