import { InngestTestEngine } from "@inngest/test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { processVideoFunction } from "@/inngest/functions/process-video";
import { db } from "@/lib/db/client";
import type { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { sendEvent } from "@/lib/jobs/send-event";
import { recordUsage } from "@/lib/db/queries/processing";
import { recordUnexpectedFailure } from "@/lib/processing/record-failure";
import { uploadFile } from "@/lib/processing/stored-media";
import { deleteProjectOrThrow } from "@/lib/projects/delete-project";
import { retryProjectOrThrow } from "@/lib/projects/retry-project";
import { removeJobRunnerAfter, runJobsIn } from "@/tests/support/job-runner";
import { testUser } from "@/tests/support/users";
import { clipWorthyMp4, vp9OpusWebm } from "@/tests/support/media";
import {
  clipRows,
  isolateScratchFolders,
  expectedOutputs,
  outputObjects,
  processEvent,
  projectView,
  queuedProject,
  timeline,
  usageRows,
} from "./support";

// Failures injected where a test needs one — storage refusing the thumbnail upload, the
// database failing inside finalize's transaction — in the real pipeline, and what
// follows: retries that complete, onFailure when they run out, a retry from the UI, and
// deletion while a run is under way.

vi.mock("@/lib/processing/stored-media", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/processing/stored-media")>();
  return { ...original, uploadFile: vi.fn(original.uploadFile) };
});
vi.mock("@/lib/db/queries/processing", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/db/queries/processing")>();
  return { ...original, recordUsage: vi.fn(original.recordUsage) };
});

const actualStoredMedia = await vi.importActual<typeof import("@/lib/processing/stored-media")>("@/lib/processing/stored-media");
const actualQueries = await vi.importActual<typeof import("@/lib/db/queries/processing")>("@/lib/db/queries/processing");

/** Storage refuses the thumbnail upload `times` times (Infinity: always); returns how many were refused. */
function refuseThumbnailUploads(times: number, message: string): { refused: () => number } {
  let refused = 0;
  vi.mocked(uploadFile).mockImplementation(async (key, file, contentType) => {
    // The project's thumbnail (projects/…/thumbnail.jpg), not a shared clip's (shared/…/thumbnail.jpg).
    if (key.startsWith("projects/") && key.endsWith("/thumbnail.jpg") && refused < times) {
      refused++;
      throw new Error(message);
    }
    return actualStoredMedia.uploadFile(key, file, contentType);
  });
  return { refused: () => refused };
}

isolateScratchFolders("retries");

const user = testUser("retries");
let runner: EmbeddedRunner;

beforeAll(() => {
  runner = runJobsIn();
});
removeJobRunnerAfter("all");

afterEach(async () => {
  await runner.idle();
  vi.mocked(uploadFile).mockReset().mockImplementation(actualStoredMedia.uploadFile);
  vi.mocked(recordUsage).mockReset().mockImplementation(actualQueries.recordUsage);
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("process-video when a step fails", () => {
  it("completes when a failed middle step is retried, reusing the earlier steps' results (@inngest/test)", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    const event = processEvent(projectId, user.id);
    refuseThumbnailUploads(1, "storage briefly unavailable");

    const failed = await new InngestTestEngine({ function: processVideoFunction(), events: [event] }).execute();

    expect(failed.error).toMatchObject({ message: "storage briefly unavailable" });
    // Retriable: the project is still processing, waiting for the retry; nothing counted. The
    // clips, cut side by side with the thumbnail, got done; the stage names what failed.
    expect(await projectView(projectId)).toMatchObject({ status: "processing", stage: "thumbnail", progress: 98 });
    expect(await usageRows(projectId)).toBe(0);

    // The retry, as Inngest makes it: steps that succeeded are memoised, not run again;
    // the failed step and the ones after it run for real.
    const settled = await Promise.all(
      Object.entries(failed.state).map(async ([id, result]) => ({
        id,
        outcome: await result.then((data) => ({ ok: true as const, data }), () => ({ ok: false as const, data: null })),
      })),
    );
    const memoised = settled.filter((s) => s.outcome.ok).map((s) => ({ id: s.id, idIsHashed: true, handler: () => s.outcome.data }));
    expect(memoised).toHaveLength(5); // check-source, check-usage, probe-media, make-web-mp4, select-clips
    const retried = await new InngestTestEngine({ function: processVideoFunction(), events: [event] }).execute({ steps: memoised });

    expect(retried.error).toBeUndefined();
    expect(retried.result).toMatchObject({ status: "ready" });
    expect(await projectView(projectId)).toMatchObject({ status: "ready", progress: 100, processingAttempts: 1 });
    expect(await usageRows(projectId)).toBe(1);
    const stages = (await timeline(projectId)).filter((e) => e.kind === "stage_started").map((e) => e.data.stage);
    expect(stages.filter((s) => s === "remux")).toHaveLength(1);
    expect(stages.filter((s) => s === "thumbnail")).toHaveLength(2);
    expect(await outputObjects(user.id, projectId)).toEqual(expectedOutputs(await clipRows(projectId)));
  });

  it("retries a failing step within the run and reaches ready (embedded mode, the function's own retries)", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    const storage = refuseThumbnailUploads(2, "storage briefly unavailable");

    await sendEvent(processEvent(projectId, user.id));
    await runner.idle();

    expect(storage.refused()).toBe(2);
    expect(await projectView(projectId)).toMatchObject({ status: "ready", progress: 100, processingAttempts: 1 });
    expect(await usageRows(projectId)).toBe(1);
  });

  it("ends in error with the stage and a retry hint when retries run out (onFailure), counting nothing", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    const storage = refuseThumbnailUploads(Infinity, "connect ECONNREFUSED 10.0.0.7:443");

    await sendEvent(processEvent(projectId, user.id));
    await runner.idle();

    expect(storage.refused()).toBe(4); // PROCESSING_RETRIES=3 → 4 attempts
    const project = await projectView(projectId);
    expect(project).toMatchObject({ status: "error", errorCode: "processing_failed", stage: "thumbnail" });
    expect(project.errorMessage).toBe(
      "Processing stopped while picking a thumbnail: it failed on every attempt. Retry; if it fails again, upload the video again.",
    );
    const last = (await timeline(projectId)).at(-1)!;
    expect(last).toMatchObject({ kind: "error", data: { code: "processing_failed", error: "connect ECONNREFUSED 10.0.0.7:443" } });
    expect(await usageRows(projectId)).toBe(0);
  });

  it("after a run that failed for good, a retry from the UI makes the outputs again in place and keeps the clips' share links", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    vi.mocked(recordUsage).mockRejectedValue(new Error("database failover"));
    await sendEvent(processEvent(projectId, user.id));
    await runner.idle();
    // The transaction rolled back: not ready, not counted.
    expect(await projectView(projectId)).toMatchObject({ status: "error", errorCode: "processing_failed", stage: "finalize" });
    expect(await usageRows(projectId)).toBe(0);
    const before = await clipRows(projectId);
    expect(before.length).toBeGreaterThan(0);

    vi.mocked(recordUsage).mockReset().mockImplementation(actualQueries.recordUsage);
    await retryProjectOrThrow(user.claims, projectId);
    await runner.idle();

    expect(await projectView(projectId)).toMatchObject({ status: "ready", processingAttempts: 2, errorCode: null });
    expect((await clipRows(projectId)).map((c) => c.shareToken)).toEqual(before.map((c) => c.shareToken));
    expect(await outputObjects(user.id, projectId)).toEqual(expectedOutputs(before));
    expect(await usageRows(projectId)).toBe(1);
  });
});

describe("process-video when the project is deleted", () => {
  it("is configured to be cancelled by project/deleted for the same project", () => {
    expect(processVideoFunction().opts.cancelOn).toEqual([{ event: expect.objectContaining({ name: "project/deleted" }), match: "data.projectId" }]);
  });

  it("cancels the run, counts nothing and leaves no files when the project is deleted mid-transcode", async () => {
    const { projectId } = await queuedProject(user.id, await vp9OpusWebm({ seconds: 30, fps: 30 }));
    const [run] = runner.send([processEvent(projectId, user.id)]).runs;
    await waitFor(() => projectView(projectId), (p) => p?.stage === "transcode");

    await deleteProjectOrThrow(user.claims, projectId);
    const outcome = await run!;
    await runner.idle();

    // The step under way finds the project gone and stops; the run ends cancelled (not
    // failed, so no failure handler runs) and nothing after that step runs.
    expect(outcome.status).toBe("cancelled");
    expect(await usageRows(projectId)).toBe(0);
    expect(await outputObjects(user.id, projectId)).toEqual([]);
    const [row] = await db()`select 1 from projects where id = ${projectId}`;
    expect(row).toBeUndefined();
  });
});

describe("process-video after the reconciler restarted a stalled run", () => {
  it("does not let the old run's failure touch the project the new run now holds", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    // The old run claimed the project and stalled; the reconciler released it and a new run claimed it.
    await db()`update projects set status = 'processing', processing_run_id = 'new-run', stage = 'transcode' where id = ${projectId}`;

    const recorded = await recordUnexpectedFailure(db(), {
      projectId,
      userId: user.id,
      runId: "old-run",
      error: { message: "worker lost" },
    });

    expect(recorded).toBe(false);
    expect(await projectView(projectId)).toMatchObject({ status: "processing", errorCode: null });
  });

  it("records the failure of a run that failed before claiming a queued project", async () => {
    const { projectId } = await queuedProject(user.id, await clipWorthyMp4());
    expect(await recordUnexpectedFailure(db(), { projectId, userId: user.id, runId: "a-run", error: { message: "storage down" } })).toBe(true);
    expect(await projectView(projectId)).toMatchObject({ status: "error", errorCode: "processing_failed" });
  });
});
