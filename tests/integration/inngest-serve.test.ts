import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureInngestRegistration } from "../support/inngest-register-capture";

// The serve endpoint is what the Inngest Dev Server and Cloud talk to. A local HTTP
// server stands in for the Dev Server's register API so the sync can be inspected.
describe("the Inngest serve endpoint", () => {
  let capture: Awaited<ReturnType<typeof captureInngestRegistration>>;
  let route: typeof import("@/app/api/inngest/route");
  const registered = () => capture.registered();

  beforeAll(async () => {
    capture = await captureInngestRegistration();
    route = capture.route;
  });
  afterAll(() => capture?.stop());

  it("answers introspection with the number of registered functions", async () => {
    const functions = (await import("@/inngest")).jobFunctions();
    const response = await route.GET(new Request("http://localhost:3000/api/inngest") as never, undefined);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.mode).toBe("dev");
    expect(body.function_count).toBeGreaterThanOrEqual(functions.length);
  });

  it("registers every function with its id and trigger when synced", async () => {
    const response = await route.PUT(new Request("http://localhost:3000/api/inngest", { method: "PUT" }) as never, undefined);
    expect(response.status).toBe(200);
    const ids = registered()?.functions.map((f) => f.id) ?? [];
    expect(ids).toContain("clipcrafter-cleanup-project");
    const cleanup = registered()?.functions.find((f) => f.id === "clipcrafter-cleanup-project");
    expect(cleanup?.triggers).toEqual([{ event: "project/deleted" }]);
    expect(registered()?.url).toContain("/api/inngest");
  });
});
