import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { processEnvironment } from "@/lib/env";

// The serve endpoint is what the Inngest Dev Server and Cloud talk to. A local HTTP
// server stands in for the Dev Server's register API so the sync can be inspected.
describe("the Inngest serve endpoint", () => {
  let devServer: Server;
  let registered: { functions: { id: string; triggers: unknown[] }[]; url: string } | undefined;
  let route: typeof import("@/app/api/inngest/route");

  beforeAll(async () => {
    devServer = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (req.url?.startsWith("/fn/register")) registered = JSON.parse(body);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ok: true, modified: true }));
      });
    });
    await new Promise<void>((resolve) => devServer.listen(0, "127.0.0.1", resolve));
    const port = (devServer.address() as { port: number }).port;
    const env = processEnvironment();
    env.INNGEST_MODE = "dev";
    env.INNGEST_DEV_SERVER_URL = `http://127.0.0.1:${port}`;
    env.INNGEST_BASE_URL = `http://127.0.0.1:${port}`;
    vi.resetModules();
    route = await import("@/app/api/inngest/route");
  });
  afterAll(() => {
    devServer?.close();
    const env = processEnvironment();
    env.INNGEST_MODE = "embedded";
    delete env.INNGEST_DEV_SERVER_URL;
    delete env.INNGEST_BASE_URL;
  });

  it("answers introspection with the number of registered functions", async () => {
    const { functions } = await import("@/inngest");
    const response = await route.GET(new Request("http://localhost:3000/api/inngest") as never, undefined);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.mode).toBe("dev");
    expect(body.function_count).toBeGreaterThanOrEqual(functions.length);
  });

  it("registers every function with its id and trigger when synced", async () => {
    const response = await route.PUT(new Request("http://localhost:3000/api/inngest", { method: "PUT" }) as never, undefined);
    expect(response.status).toBe(200);
    const ids = registered?.functions.map((f) => f.id) ?? [];
    expect(ids).toContain("clipcrafter-cleanup-project");
    const cleanup = registered?.functions.find((f) => f.id === "clipcrafter-cleanup-project");
    expect(cleanup?.triggers).toEqual([{ event: "project/deleted" }]);
    expect(registered?.url).toContain("/api/inngest");
  });
});
