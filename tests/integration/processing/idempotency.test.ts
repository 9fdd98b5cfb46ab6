import { describe, expect, it } from "vitest";
import { testUser } from "@/tests/support/users";
import { clipWorthyMp4 } from "@/tests/support/media";
import {
  clipRows,
  isolateScratchFolders,
  expectedOutputs,
  outputObjects,
  projectView,
  queuedProject,
  testEngine,
  timeline,
  usageRows,
} from "./support";

// Duplicate deliveries: one usage row and one set of outputs per project, whatever
// arrives twice.

isolateScratchFolders("idem");

const user = testUser("idempotency");

describe("process-video delivered more than once", () => {
  it("does nothing the second time the event arrives after the project is ready: one usage row, one set of outputs", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    const first = await testEngine(projectId, user.id).execute();
    expect(first.result).toMatchObject({ status: "ready" });
    const clipsAfterFirst = await clipRows(projectId);

    const second = await testEngine(projectId, user.id, `process-${projectId}-again`).execute();

    expect(second.result).toEqual({ status: "skipped", reason: "already_ready" });
    expect(await usageRows(projectId)).toBe(1);
    expect(await clipRows(projectId)).toEqual(clipsAfterFirst);
    expect(await outputObjects(user.id, projectId)).toEqual(expectedOutputs(clipsAfterFirst));
    expect((await timeline(projectId)).filter((e) => e.kind === "ready")).toHaveLength(1);
  });

  it("lets only one of two simultaneous deliveries process the project", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());

    const runs = await Promise.all([
      testEngine(projectId, user.id).execute(),
      testEngine(projectId, user.id, `process-${projectId}-duplicate`).execute(),
    ]);

    const results = runs.map((r) => r.result);
    expect(results).toContainEqual(expect.objectContaining({ status: "ready" }));
    expect(results).toContainEqual({ status: "skipped", reason: "claimed_by_another_run" });
    expect(await projectView(projectId)).toMatchObject({ status: "ready", processingAttempts: 1 });
    expect(await usageRows(projectId)).toBe(1);
    const clips = await clipRows(projectId);
    expect(await outputObjects(user.id, projectId)).toEqual(expectedOutputs(clips));
    expect((await timeline(projectId)).filter((e) => e.kind === "processing_started")).toHaveLength(1);
  });
});
