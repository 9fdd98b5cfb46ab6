import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { processEnvironment } from "@/lib/env";
import { createTestUser } from "@/tests/support/users";
import { h264AacMp4 } from "@/tests/support/media";
import { processEvent, projectView, queuedProject } from "./support";

// The one definition of the pipeline, under both ways of running it: in-process
// (embedded mode) and synced to an Inngest server (Dev Server or Cloud).

describe("process-video in embedded mode", () => {
  it("runs the registered function in this process when video/process is sent", async () => {
    const { functions } = await import("@/inngest");
    const { EmbeddedRunner } = await import("@/lib/jobs/embedded-runner");
    const { sendEvent, setEmbeddedRunner } = await import("@/lib/jobs/send-event");
    const outcomes: { functionId: string; status: string }[] = [];
    const runner = new EmbeddedRunner(functions, { retryDelayMs: () => 5, onOutcome: (o) => outcomes.push(o) });
    setEmbeddedRunner(runner);
    const user = await createTestUser("embedded");
    const { projectId } = await queuedProject(user.id, await h264AacMp4());

    await sendEvent(processEvent(projectId, user.id));
    await runner.idle();
    setEmbeddedRunner(undefined);

    expect(outcomes).toEqual([expect.objectContaining({ functionId: "process-video", status: "completed" })]);
    expect(await projectView(projectId)).toMatchObject({ status: "ready", progress: 100 });
  });
});

describe("process-video synced to an Inngest server", () => {
  let devServer: Server;
  let registered: { functions: { id: string; name: string; triggers: unknown[]; concurrency?: unknown; cancel?: unknown; steps: Record<string, { retries?: { attempts: number } }> }[] } | undefined;

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
    const route = await import("@/app/api/inngest/route");
    const response = await route.PUT(new Request("http://localhost:3000/api/inngest", { method: "PUT" }) as never, undefined);
    expect(response.status).toBe(200);
  });

  afterAll(() => {
    devServer?.close();
    const env = processEnvironment();
    env.INNGEST_MODE = "embedded";
    delete env.INNGEST_DEV_SERVER_URL;
    delete env.INNGEST_BASE_URL;
  });

  it("registers with its trigger, per-user and overall concurrency, retries and cancellation on project deletion", () => {
    const fn = registered?.functions.find((f) => f.id === "clipcrafter-process-video");
    expect(fn).toBeDefined();
    expect(fn!.name).toBe("Process a video: web MP4, thumbnail, clips");
    expect(fn!.triggers).toEqual([{ event: "video/process" }]);
    expect(fn!.concurrency).toEqual([
      { key: "event.data.userId", limit: 2 },
      { limit: 4 },
    ]);
    expect(Object.values(fn!.steps)[0]?.retries).toEqual({ attempts: 3 });
    expect(fn!.cancel).toEqual([{ event: "project/deleted", if: "event.data.projectId == async.data.projectId" }]);
    // onFailure is a function of its own, triggered by this one's failure.
    expect(registered!.functions.some((f) => f.id === "clipcrafter-process-video-failure")).toBe(true);
  });
});
