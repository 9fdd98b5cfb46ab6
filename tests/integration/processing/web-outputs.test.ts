import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { headObject } from "@/lib/storage/objects";
import { testUser } from "@/tests/support/users";
import {
  blackStartMp4,
  h264AacMp4,
  h264NoAudioMp4,
  loudMiddleMp4,
  oddDimensionsWebm,
  rotatedPhoneMp4,
  vp9OpusWebm,
} from "@/tests/support/media";
import {
  clipRows,
  isolateScratchFolders,
  objectBytes,
  expectedOutputs,
  outputObjects,
  probeStored,
  projectView,
  queuedProject,
  testEngine,
  timeline,
  usageRows,
} from "./support";

// What a person gets from each kind of video they upload, run through process-video with
// @inngest/test's engine against real Postgres, storage and ffmpeg.

isolateScratchFolders("web");

// A person per test: the Free plan's 10 videos a month would otherwise run out in this file.
const user = testUser("web-outputs", { each: true });

beforeAll(async () => {
  // Records every change of a project's progress with the time it was written.
  await db().unsafe(`
    create table if not exists test_progress_log (project_id uuid, progress int, stage text, at timestamptz default clock_timestamp());
    create or replace function test_log_progress() returns trigger language plpgsql as $$
    begin
      if new.progress is distinct from old.progress then
        insert into test_progress_log (project_id, progress, stage) values (new.id, new.progress, new.stage);
      end if;
      return new;
    end $$;
    create or replace trigger test_progress_log after update on projects for each row execute function test_log_progress();`);
});

const isJpeg = (bytes: Buffer) => bytes[0] === 0xff && bytes[1] === 0xd8;
const faststart = (bytes: Buffer) => bytes.indexOf("moov") > 0 && bytes.indexOf("moov") < bytes.indexOf("mdat");
const stagesStarted = async (projectId: string) =>
  (await timeline(projectId)).filter((e) => e.kind === "stage_started").map((e) => e.data.stage);

describe("process-video on the videos people upload", () => {
  it("remuxes an H.264/AAC MP4 without re-encoding into a faststart web MP4 with a thumbnail and highlight clips", async () => {
    const media = await loudMiddleMp4();
    const { projectId } = await queuedProject(user.id, media);

    const { result, error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    expect(result).toEqual({ status: "ready", method: "remux", clips: expect.any(Number) });
    const project = await projectView(projectId);
    expect(project).toMatchObject({
      status: "ready",
      stage: null,
      progress: 100,
      errorCode: null,
      durationSeconds: expect.closeTo(34, 0),
      width: 160,
      height: 120,
      videoCodec: "h264",
      audioCodec: "aac",
      processingAttempts: 1,
    });
    expect(project.mediaInfo.video).toMatchObject({ pixelFormat: "yuv420p", rotation: 0, frameRate: 10 });
    expect(project.mediaInfo.bitRate).toBeGreaterThan(0);

    const events = await timeline(projectId);
    expect(events.map((e) => e.kind)).toContain("processing_started");
    expect(await stagesStarted(projectId)).toEqual(["usage", "probe", "remux", "thumbnail", "clips", "finalize"]);
    const remux = events.find((e) => e.kind === "stage_completed" && e.data.stage === "remux")!;
    expect(remux.data).toMatchObject({ method: "remux", reasons: [] });
    expect(events.at(-1)).toMatchObject({ kind: "ready" });

    const web = await objectBytes(project.playbackKey!);
    expect(faststart(web)).toBe(true);
    const probed = await probeStored(project.playbackKey!);
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(Number(probed.format.duration)).toBeCloseTo(34, 0);
    // No re-encode: the video is the uploaded bytes, so the sizes barely differ.
    expect(Math.abs(web.length - media.bytes.length) / media.bytes.length).toBeLessThan(0.02);

    expect(isJpeg(await objectBytes(project.thumbnailKey!))).toBe(true);

    const clips = await clipRows(projectId);
    expect(clips.length).toBeGreaterThanOrEqual(2);
    expect(clips.length).toBeLessThanOrEqual(3);
    // The loud stretch (12–26 s) is a clip of its own.
    expect(clips.some((c) => c.startSeconds === 12 && c.endSeconds >= 26)).toBe(true);
    for (const clip of clips) {
      const length = clip.endSeconds - clip.startSeconds;
      expect(length).toBeGreaterThanOrEqual(10);
      expect(length).toBeLessThanOrEqual(30);
      expect(clip.shareToken.length).toBeGreaterThanOrEqual(22);
      // Shared files live under a random id: the key names neither the user nor the project.
      expect(clip.key).toMatch(/^shared\/[0-9a-f]{32}\/clip\.mp4$/);
      expect(clip.thumbnailKey).toBe(clip.key.replace(/clip\.mp4$/, "thumbnail.jpg"));
      const clipProbe = await probeStored(clip.key);
      expect(Number(clipProbe.format.duration)).toBeCloseTo(length, 0);
      expect(faststart(await objectBytes(clip.key))).toBe(true);
      expect(isJpeg(await objectBytes(clip.thumbnailKey))).toBe(true);
    }
    expect(new Set(clips.map((c) => c.shareToken)).size).toBe(clips.length);
    expect(await usageRows(projectId)).toBe(1);
    expect(new Set(clips.map((c) => c.key)).size).toBe(clips.length);
    expect(await outputObjects(user.id, projectId)).toEqual(expectedOutputs(clips));
  });

  it("cuts copied clips exactly at keyframes that fall between milliseconds (30 fps, a keyframe every 50 frames)", async () => {
    // Keyframes at multiples of 5/3 s; the loud stretch starts at 40/3 = 13.333… s, which
    // milliseconds round down to just before the keyframe.
    const media = await h264AacMp4({ seconds: 30, width: 160, height: 120, fps: 30, keyframeSeconds: 5 / 3, loud: [13.4, 26] });
    const { projectId } = await queuedProject(user.id, media);

    const { result, error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ status: "ready", method: "remux" });
    const clips = await clipRows(projectId);
    const loud = clips.find((c) => Math.abs(c.startSeconds - 40 / 3) < 0.001);
    expect(loud).toBeDefined();
    for (const clip of clips) {
      // Starting on the keyframe before (a seek rounded down) would add 1.67 s.
      const duration = Number((await probeStored(clip.key)).format.duration);
      expect(Math.abs(duration - (clip.endSeconds - clip.startSeconds))).toBeLessThan(0.1);
    }
  });

  it("re-encodes a clip that cannot start on a keyframe when the upload has almost none", async () => {
    // One keyframe, at the start (a screen recorder's endless GOP); the loud part is 35–50 s.
    const media = await h264AacMp4({ seconds: 60, width: 160, height: 120, keyframeSeconds: 100, loud: [35, 50] });
    const { projectId } = await queuedProject(user.id, media);

    const { result } = await testEngine(projectId, user.id).execute();

    expect(result).toMatchObject({ status: "ready", method: "remux" });
    const chosen = (await timeline(projectId)).find((e) => e.kind === "stage_completed" && e.data.stage === "clips")!.data.clips;
    const encoded = chosen.find((c: { copy: boolean }) => !c.copy);
    expect(encoded).toBeDefined();
    expect(encoded.startSeconds).toBeGreaterThan(0);
    const clip = (await clipRows(projectId)).find((c) => c.position === encoded.position)!;
    const probed = await probeStored(clip.key);
    expect(probed.streams.find((s) => s.codec_type === "video")?.codec_name).toBe("h264");
    expect(Number(probed.format.duration)).toBeCloseTo(clip.endSeconds - clip.startSeconds, 0);
  });

  it("transcodes a VP9/Opus WebM to H.264/AAC, with ffmpeg's progress reaching the project row at a bounded rate", async () => {
    const { projectId } = await queuedProject(user.id, await vp9OpusWebm({ seconds: 30, fps: 30 }));

    const { error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    const project = await projectView(projectId);
    expect(project).toMatchObject({ status: "ready", progress: 100, videoCodec: "vp9", audioCodec: "opus", width: 320, height: 240 });
    const probed = await probeStored(project.playbackKey!);
    const video = probed.streams.find((s) => s.codec_type === "video")!;
    expect(video).toMatchObject({ codec_name: "h264", pix_fmt: "yuv420p", width: 320, height: 240 });
    expect(probed.streams.find((s) => s.codec_type === "audio")?.codec_name).toBe("aac");
    expect(faststart(await objectBytes(project.playbackKey!))).toBe(true);
    const transcode = (await timeline(projectId)).find((e) => e.kind === "stage_completed" && e.data.stage === "transcode")!;
    expect(transcode.data.reasons).toEqual(["VP9 video", "OPUS audio"]);

    const writes = await db()<{ progress: number; stage: string; at: Date }[]>`
      select progress, stage, at from test_progress_log where project_id = ${projectId} order by at`;
    const progress = writes.map((w) => w.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const during = writes.filter((w) => w.stage === "transcode");
    // Values from ffmpeg between the stage's start (8) and end (80)…
    expect(during.some((w) => w.progress > 8 && w.progress < 80)).toBe(true);
    // …at most one write per second, plus the stage's start, end and final flush.
    const seconds = (during.at(-1)!.at.getTime() - during[0]!.at.getTime()) / 1000;
    expect(during.length).toBeLessThanOrEqual(Math.floor(seconds) + 3);
    // Transcoded web MP4s have a keyframe every 2 s, so every clip is a stream copy.
    const clips = (await timeline(projectId)).find((e) => e.kind === "stage_completed" && e.data.stage === "clips")!;
    expect(clips.data.clips.every((c: { copy: boolean }) => c.copy)).toBe(true);
  });

  it("remuxes an H.264 video that has no audio and spreads its clip over the picture", async () => {
    const { projectId } = await queuedProject(user.id, await h264NoAudioMp4({ seconds: 12, width: 160, height: 120, keyframeSeconds: 2 }));

    const { error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    const project = await projectView(projectId);
    expect(project).toMatchObject({ status: "ready", videoCodec: "h264", audioCodec: null });
    expect((await timeline(projectId)).some((e) => e.kind === "stage_started" && e.data.stage === "remux")).toBe(true);
    const probed = await probeStored(project.playbackKey!);
    expect(probed.streams.map((s) => s.codec_type)).toEqual(["video"]);
    const clips = await clipRows(projectId);
    expect(clips).toHaveLength(1);
    expect(clips[0]!.endSeconds - clips[0]!.startSeconds).toBeGreaterThanOrEqual(10);
  });

  it("turns a rotated phone video upright: portrait pixels, no rotation left for players to apply", async () => {
    const { projectId } = await queuedProject(user.id, await rotatedPhoneMp4());

    const { error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    const project = await projectView(projectId);
    expect(project).toMatchObject({ status: "ready", width: 176, height: 320 });
    expect(project.mediaInfo.video.rotation).not.toBe(0);
    const transcode = (await timeline(projectId)).find((e) => e.kind === "stage_completed" && e.data.stage === "transcode")!;
    expect(transcode.data.reasons.join(" ")).toMatch(/rotated/);
    const video = (await probeStored(project.playbackKey!)).streams.find((s) => s.codec_type === "video")!;
    expect([video.width, video.height]).toEqual([176, 320]);
    expect(video.side_data_list ?? []).toEqual([]);
  });

  it("makes even dimensions from a video with odd ones", async () => {
    const { projectId } = await queuedProject(user.id, await oddDimensionsWebm());

    const { error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    const project = await projectView(projectId);
    expect(project).toMatchObject({ status: "ready", width: 161, height: 121 });
    const video = (await probeStored(project.playbackKey!)).streams.find((s) => s.codec_type === "video")!;
    expect([video.width, video.height]).toEqual([160, 120]);
  });

  it("processes a link import the same way once its download is in storage", async () => {
    const { projectId } = await queuedProject(user.id, await h264AacMp4(), { sourceUrl: "https://videos.example.com/talk.mp4" });

    const { result } = await testEngine(projectId, user.id).execute();

    expect(result).toMatchObject({ status: "ready", method: "remux" });
    expect(await usageRows(projectId)).toBe(1);
  });

  it("removes the original upload once the web MP4 exists when DELETE_ORIGINAL_AFTER_PROCESSING is on", async () => {
    const { projectId, key } = await queuedProject(user.id, await h264AacMp4());
    setEnvForProcess({ DELETE_ORIGINAL_AFTER_PROCESSING: "true" });
    try {
      const { result } = await testEngine(projectId, user.id).execute();
      expect(result).toMatchObject({ status: "ready" });
    } finally {
      setEnvForProcess({ DELETE_ORIGINAL_AFTER_PROCESSING: "false" });
    }
    expect(await headObject(key)).toBeNull();
    expect(await headObject((await projectView(projectId)).playbackKey!)).not.toBeNull();
    expect((await timeline(projectId)).at(-1)).toMatchObject({ kind: "stage_completed", data: { stage: "delete_original" } });
  });

  it("keeps the original upload by default", async () => {
    const { projectId, key } = await queuedProject(user.id, await h264AacMp4());
    await testEngine(projectId, user.id).execute();
    expect(await headObject(key)).not.toBeNull();
  });

  it("takes the thumbnail past a black opening, by input seeking", async () => {
    const { projectId } = await queuedProject(user.id, await blackStartMp4({ seconds: 4, blackSeconds: 1.5 }));

    const { error } = await testEngine(projectId, user.id).execute();

    expect(error).toBeUndefined();
    const thumbnail = (await timeline(projectId)).find((e) => e.kind === "stage_completed" && e.data.stage === "thumbnail")!;
    // 10% (0.4 s) and 25% (1 s) are black; 50% is the first picture.
    expect(thumbnail.data.atSeconds).toBe(2);
    expect(isJpeg(await objectBytes((await projectView(projectId)).thumbnailKey!))).toBe(true);
  });
});
