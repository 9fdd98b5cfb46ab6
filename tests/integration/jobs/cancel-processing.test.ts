import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteProject } from "@/app/api/projects/[id]/route";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import type { RunOutcome } from "@/lib/jobs/embedded-runner";
import { sendEvent } from "@/lib/jobs/send-event";
import { ffmpegPath } from "@/lib/media/binaries";
import { HOLD_CHECK_INTERVAL_MS } from "@/lib/processing/while-run-holds-project";
import { listObjects } from "@/lib/storage/objects";
import { projectPrefix } from "@/lib/storage/keys";
import type { TestMedia } from "@/tests/support/media";
import { callRoute } from "@/tests/support/routes";
import { appJobRunner, removeJobRunnerAfter, runJobsIn } from "@/tests/support/job-runner";
import { createTestUser } from "@/tests/support/users";
import { leftoverScratchDirs, processEvent, projectView, queuedProject, testEngine } from "../processing/support";

const run = promisify(execFile);

/**
 * Two minutes of 720p MPEG-4 Part 2 in Matroska: it must be transcoded, which takes many
 * seconds here. Made in about two seconds: two seconds encoded, then looped by copying.
 */
async function longTranscodeSource(dir: string): Promise<TestMedia> {
  const short = path.join(dir, "short.mkv");
  const long = path.join(dir, "long.mkv");
  const ffmpeg = (args: string[]) => run(ffmpegPath(), ["-nostdin", "-v", "error", "-y", ...args]);
  await ffmpeg(["-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25:duration=2", "-c:v", "mpeg4", "-q:v", "6", short]);
  await ffmpeg(["-stream_loop", "-1", "-i", short, "-t", "120", "-c", "copy", long]);
  return { bytes: await readFile(long), filename: "long.mkv", contentType: "video/x-matroska" };
}

/** The pid of an ffmpeg (after the memory-limit wrapper's exec) whose command line names `marker`. */
async function ffmpegPidWith(marker: string): Promise<number | null> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, "utf8").then((t) => t.split("\0"), () => [] as string[]);
    if (path.basename(argv[0] ?? "").includes("ffmpeg") && argv.some((a) => a.includes(marker))) return Number(entry);
  }
  return null;
}

/** Whether the process still exists and is not a reaped-soon zombie. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

describe("deleting a project while its video is processed (embedded mode)", () => {
  let scratchRoot: string;
  let source: TestMedia;

  beforeAll(async () => {
    scratchRoot = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-scratch-cancel-"));
    setEnvForProcess({ MEDIA_TEMP_DIR: scratchRoot });
    source = await longTranscodeSource(await mkdtemp(path.join(os.tmpdir(), "clipcrafter-cancel-media-")));
  }, 60_000);
  removeJobRunnerAfter("all");

  /** The pid of the project's transcoding ffmpeg, once the project shows the transcode stage. */
  async function transcodingFfmpegPid(projectId: string): Promise<number> {
    let pid: number | null = null;
    await expect
      .poll(async () => (pid = (await projectView(projectId)).stage === "transcode" ? await ffmpegPidWith(scratchRoot) : null), {
        timeout: 30_000,
        interval: 100,
      })
      .not.toBeNull();
    return pid!;
  }

  it("kills the transcoding ffmpeg at once and leaves no output or scratch files", async () => {
    const outcomes: RunOutcome[] = [];
    const runner = runJobsIn(appJobRunner({ onOutcome: (o) => outcomes.push(o) }));
    const user = await createTestUser("cancels-transcode");
    const { projectId } = await queuedProject(user.id, source);
    await sendEvent(processEvent(projectId, user.id));

    const pid = await transcodingFfmpegPid(projectId);
    expect(await alive(pid)).toBe(true);

    const deletedAt = Date.now();
    expect((await callRoute(deleteProject, { method: "DELETE", params: { id: projectId }, headers: user.auth })).status).toBe(204);
    await expect.poll(() => alive(pid), { timeout: 1_000, interval: 20 }).toBe(false);
    const killedWithinMs = Date.now() - deletedAt;
    expect(killedWithinMs).toBeLessThan(1_000);

    await runner.idle();
    expect(outcomes.find((o) => o.functionId === "process-video")).toMatchObject({ status: "cancelled" });
    expect(await listObjects(projectPrefix(user.id, projectId))).toEqual([]);
    expect(await leftoverScratchDirs(scratchRoot)).toEqual([]);
    expect(await ffmpegPidWith(scratchRoot)).toBeNull();
  }, 90_000);

  it("kills the transcoding ffmpeg without a run signal (as on Inngest Cloud) at the step's next check that the run holds the project", async () => {
    const user = await createTestUser("cancels-on-cloud");
    const { projectId } = await queuedProject(user.id, source);
    // @inngest/test drives the function in-process with no embedded runner: nothing
    // signals the step, as when Inngest Cloud calls /api/inngest for it.
    const execution = testEngine(projectId, user.id).execute().catch((error: unknown) => error);

    const pid = await transcodingFfmpegPid(projectId);
    await db()`delete from projects where id = ${projectId}`;
    const deletedAt = Date.now();
    await expect.poll(() => alive(pid), { timeout: HOLD_CHECK_INTERVAL_MS + 2_000, interval: 50 }).toBe(false);
    expect(Date.now() - deletedAt).toBeLessThan(HOLD_CHECK_INTERVAL_MS + 1_000);
    const ended = (await execution) as { error?: { message?: string } };
    expect(ended.error?.message).toBe("ffmpeg was stopped: its job run was cancelled"); // killed, not finished
    expect(await listObjects(projectPrefix(user.id, projectId))).toEqual([]);
    expect(await leftoverScratchDirs(scratchRoot)).toEqual([]);
  }, 90_000);
});
