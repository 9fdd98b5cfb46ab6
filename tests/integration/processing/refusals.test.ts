import { describe, expect, it } from "vitest";
import { deleteObject, listObjects } from "@/lib/storage/objects";
import { createTestUser, testUser, type TestUser } from "@/tests/support/users";
import {
  audioOnlyMp4,
  h264AacMp4,
  hlsPlaylistDisguisedAsMp4,
  localSegment,
  textFile,
  truncatedMp4WithoutMoov,
  zeroByteFile,
  type TestMedia,
} from "@/tests/support/media";
import {
  isolateScratchFolders,
  objectBytes,
  outputObjects,
  projectView,
  queuedProject,
  testEngine,
  timeline,
  usageRows,
  useVideos,
} from "./support";

// Every way a run can be refused ends with the project in `error`: a code, a message a
// person can act on, a timeline event — and no retries, outputs or usage.

isolateScratchFolders("refusals");

const user = testUser("refusals");

async function refusedRun(owner: TestUser, projectId: string) {
  const { result, error } = await testEngine(projectId, owner.id).execute();
  expect(result).toBeUndefined();
  const project = await projectView(projectId);
  const events = await timeline(projectId);
  return { error: error as Error, project, events, lastEvent: events.at(-1)! };
}

async function expectRefused(media: TestMedia, code: string, message: RegExp) {
  const { projectId } = await queuedProject(user.id, media);
  const { error, project, lastEvent } = await refusedRun(user, projectId);
  expect(error).toMatchObject({ name: "NonRetriableError" });
  expect(project).toMatchObject({ status: "error", errorCode: code });
  expect(project.errorMessage).toMatch(message);
  expect(lastEvent).toMatchObject({ kind: "error", message: project.errorMessage, data: { code } });
  expect(await outputObjects(user.id, projectId)).toEqual([]);
  expect(await usageRows(projectId)).toBe(0);
  return { projectId, project };
}

describe("process-video refuses what it cannot or must not process", () => {
  it("refuses a 0-byte file, saying it is empty", async () => {
    await expectRefused(zeroByteFile(), "empty_file", /empty \(0 bytes\)\. Upload the video again/);
  });

  it("refuses an MP4 cut off before its index, saying the file is incomplete", async () => {
    await expectRefused(await truncatedMp4WithoutMoov(), "damaged_file", /incomplete.*moov.*Upload the complete file/);
  });

  it("refuses an audio-only file, saying it has no picture", async () => {
    await expectRefused(await audioOnlyMp4(), "no_video_stream", /sound but no picture/);
  });

  it("refuses a text file named .mp4, saying it is not a video", async () => {
    await expectRefused(textFile(), "not_a_video", /not a video we can read/);
  });

  it("refuses an HLS playlist disguised as .mp4 that points at a local file, and no output holds that file's bytes", async () => {
    const segment = await localSegment();
    const { projectId } = await expectRefused(hlsPlaylistDisguisedAsMp4(segment.file), "unsupported_format", /HLS playlist/);

    // Nothing under the project, and nothing anywhere in this user's outputs, carries the
    // segment's bytes (checked as 64-byte windows from inside its packets).
    const windows = [1, 5, 9, 13].map((packet) => segment.bytes.subarray(packet * 188 + 60, packet * 188 + 124));
    for (const object of await listObjects(`projects/${user.id}/`)) {
      const bytes = await objectBytes(object.key);
      for (const window of windows) expect(bytes.includes(window)).toBe(false);
    }
    expect((await projectView(projectId)).mediaInfo).toBeNull();
  });

  it("refuses a project whose upload never finished (no key), with a message saying to upload again", async () => {
    const { projectId } = await queuedProject(user.id, null, { withKey: false, withCompletedAt: false });
    const { error, project, lastEvent } = await refusedRun(user, projectId);
    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(project).toMatchObject({ status: "error", errorCode: "source_missing" });
    expect(project.errorMessage).toBe("The upload of this video never finished, so there is nothing to process. Upload the video again.");
    expect(lastEvent).toMatchObject({ kind: "error", data: { code: "source_missing" } });
  });

  it("refuses a project whose key is set but whose upload was never completed", async () => {
    const { projectId } = await queuedProject(user.id, await h264AacMp4(), { withCompletedAt: false });
    const { project } = await refusedRun(user, projectId);
    expect(project).toMatchObject({ status: "error", errorCode: "source_missing" });
  });

  it("refuses a link import whose download never landed in storage, saying to retry the import", async () => {
    const { projectId } = await queuedProject(user.id, null, { sourceUrl: "https://videos.example.com/talk.mp4", withKey: false });
    const { project } = await refusedRun(user, projectId);
    expect(project).toMatchObject({ status: "error", errorCode: "source_missing" });
    expect(project.errorMessage).toMatch(/video from this link was never fully downloaded.*Retry the import/);
  });

  it("refuses a project whose uploaded file is gone from storage", async () => {
    const { projectId, key } = await queuedProject(user.id, await h264AacMp4());
    await deleteObject(key);
    const { project } = await refusedRun(user, projectId);
    expect(project).toMatchObject({ status: "error", errorCode: "source_missing" });
    expect(project.errorMessage).toMatch(/no longer in storage/);
  });

  it("stops at the plan's monthly limit before any heavy work: error state with the plan and limit, nothing processed", async () => {
    const full = await createTestUser("full-plan");
    await useVideos(full.id, 10);
    const { projectId } = await queuedProject(full.id, await h264AacMp4());

    const { error, project, events } = await refusedRun(full, projectId);

    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(project).toMatchObject({ status: "error", errorCode: "plan_limit_reached", mediaInfo: null, playbackKey: null });
    expect(project.errorMessage).toMatch(/^Plan limit reached: the Free plan includes 10 videos a month/);
    expect(events.at(-1)).toMatchObject({ kind: "error", data: { code: "plan_limit_reached", plan: "free", limit: 10, used: 10 } });
    expect(events.some((e) => e.kind === "stage_started" && e.data.stage === "probe")).toBe(false);
    expect(await outputObjects(full.id, projectId)).toEqual([]);
    expect(await usageRows(projectId)).toBe(0);
  });
});
