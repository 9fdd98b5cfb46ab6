import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { ffmpegPath, ffprobePath } from "@/lib/media/binaries";
import type { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { sendEvent } from "@/lib/jobs/send-event";
import { MEDIA_TOOLS_UNAVAILABLE_MESSAGE } from "@/lib/processing/explain-unavailable-tool";
import { retryProjectOrThrow } from "@/lib/projects/retry-project";
import { removeJobRunnerAfter, runJobsIn } from "@/tests/support/job-runner";
import { testUser } from "@/tests/support/users";
import { h264AacMp4 } from "@/tests/support/media";
import { isolateScratchFolders, processEvent, projectView, queuedProject, timeline } from "./support";

// ffmpeg/ffprobe missing on the server that processes videos: the run must not spend its
// retries on what can never work, the person must not be told their file is at fault,
// and the operator's log must say which binary is missing.

isolateScratchFolders("missing-tools");

const user = testUser("missing-tools");
let runner: EmbeddedRunner;
const installed = { FFMPEG_PATH: ffmpegPath(), FFPROBE_PATH: ffprobePath() };

beforeAll(() => {
  runner = runJobsIn();
});
removeJobRunnerAfter("all");

afterEach(async () => {
  await runner.idle();
  setEnvForProcess(installed);
  vi.restoreAllMocks();
});

describe("processing when a media tool cannot be started", () => {
  it("ends the run at once without retries, tells the person the server cannot process videos, names the missing binary in the log, and Retry works once it is installed", async () => {
    const video = await h264AacMp4({ seconds: 2, width: 160, height: 120 });
    const { projectId } = await queuedProject(user.id, video);
    const operatorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    setEnvForProcess({ FFMPEG_PATH: "/nonexistent/bin/ffmpeg", FFPROBE_PATH: "/nonexistent/bin/ffprobe" });

    const started = Date.now();
    await sendEvent(processEvent(projectId, user.id));
    await runner.idle();

    expect(Date.now() - started).toBeLessThan(10_000);
    const failed = await projectView(projectId);
    expect(failed).toMatchObject({ status: "error", errorCode: "media_tools_unavailable", stage: "probe" });
    expect(failed.errorMessage).toBe(MEDIA_TOOLS_UNAVAILABLE_MESSAGE);
    expect(failed.errorMessage).not.toMatch(/every attempt|upload the video again|not a video/i);
    // One attempt: a retried run enters the probe stage again, each time on the timeline.
    const events = await timeline(projectId);
    expect(events.filter((e) => e.kind === "stage_started" && e.data.stage === "probe")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ kind: "error", data: { code: "media_tools_unavailable", tool: "ffprobe" } });

    const lines = operatorLog.mock.calls.map((args) => String(args[0]));
    const entry = lines.map((l) => JSON.parse(l.startsWith("{") ? l : "{}")).find((e) => e.event === "media_tool_unavailable");
    expect(entry).toMatchObject({ level: "error", projectId, tool: "ffprobe", binary: "/nonexistent/bin/ffprobe", from: "FFPROBE_PATH" });
    expect(entry.install).toMatch(/ffmpeg/);

    setEnvForProcess(installed);
    await retryProjectOrThrow(user.claims, projectId);
    await runner.idle();
    expect(await projectView(projectId)).toMatchObject({ status: "ready", errorCode: null, errorMessage: null });
  });

  it("ends the run the same way when the binary exists but is not executable", async () => {
    const video = await h264AacMp4({ seconds: 2, width: 160, height: 120 });
    const { projectId } = await queuedProject(user.id, video);
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A file that is there but cannot be run: package.json, never executable.
    setEnvForProcess({ FFPROBE_PATH: `${process.cwd()}/package.json` });

    await sendEvent(processEvent(projectId, user.id));
    await runner.idle();

    expect(await projectView(projectId)).toMatchObject({ status: "error", errorCode: "media_tools_unavailable" });
    const probes = (await timeline(projectId)).filter((e) => e.kind === "stage_started" && e.data.stage === "probe");
    expect(probes).toHaveLength(1);
  });
});
