import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureInngestRegistration } from "@/tests/support/inngest-register-capture";
import { createTestUser } from "@/tests/support/users";
import { h264AacMp4 } from "@/tests/support/media";
import { processEvent, projectView, queuedProject } from "./support";

// The one definition of the pipeline, under both ways of running it: in-process
// (embedded mode) and synced to an Inngest server (Dev Server or Cloud).

describe("process-video in embedded mode", () => {
  it("runs the registered function in this process when video/process is sent", async () => {
    const functions = (await import("@/inngest")).jobFunctions();
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
  let capture: Awaited<ReturnType<typeof captureInngestRegistration>>;
  const registered = () => capture.registered();

  beforeAll(async () => {
    capture = await captureInngestRegistration();
    const response = await capture.route.PUT(new Request("http://localhost:3000/api/inngest", { method: "PUT" }) as never, undefined);
    expect(response.status).toBe(200);
  });

  afterAll(() => capture?.stop());

  it("registers with its trigger, per-user and overall concurrency, retries and cancellation on project deletion", () => {
    const fn = registered()?.functions.find((f) => f.id === "clipcrafter-process-video");
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
    expect(registered()!.functions.some((f) => f.id === "clipcrafter-process-video-failure")).toBe(true);
  });
});
