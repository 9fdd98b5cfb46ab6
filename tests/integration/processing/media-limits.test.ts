import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { ffmpegManyArgs, runFfmpeg, runFfmpegMany } from "@/lib/media/ffmpeg";
import { UPLOADED_VIDEO_DEMUXERS } from "@/lib/media/media-input";
import { MediaToolError, memoryLimitBytes, runMediaTool } from "@/lib/media/run-media-tool";
import { explainLimitFailure } from "@/lib/processing/make-web-mp4";
import { ProcessingError } from "@/lib/processing/processing-error";
import { testUser } from "@/tests/support/users";
import { h264AacMp4, headerUnderstatesDurationMkv, hugePictureMkv, type TestMedia } from "@/tests/support/media";
import {
  clipRows,
  isolateScratchFolders,
  outputObjects,
  probeStored,
  projectView,
  queuedProject,
  testEngine,
  timeline,
  usageRows,
} from "./support";

// The plan and the machine are protected by what the media is, not by what its header
// says: the web MP4 is measured, not trusted; pictures are capped by their area; every
// ffmpeg/ffprobe run is bounded in threads and memory.

isolateScratchFolders("media-limits");

const user = testUser("media-limits");
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-media-limits-"));
});

const BOUNDS = ["FFMPEG_MEMORY_LIMIT_MB", "MEDIA_MAX_PIXELS", "FFMPEG_PATH"] as const;
afterEach(() => {
  setEnvForProcess(Object.fromEntries(BOUNDS.map((name) => [name, undefined])));
});

async function run(media: TestMedia) {
  const { projectId } = await queuedProject(user.id, media);
  const started = performance.now();
  const { result, error } = await testEngine(projectId, user.id).execute();
  const elapsedMs = performance.now() - started;
  return { projectId, result, error: error as Error | undefined, elapsedMs, project: await projectView(projectId), events: await timeline(projectId) };
}

async function expectRefusedWithNothingStored(projectId: string) {
  expect(await outputObjects(user.id, projectId)).toEqual([]);
  expect(await usageRows(projectId)).toBe(0);
}

async function ffmpegFailure(job: Promise<unknown>): Promise<MediaToolError> {
  const error = await job.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MediaToolError);
  return error as MediaToolError;
}

describe("the plan's duration limit holds for what the file holds, not what its header says", () => {
  for (const codec of ["h264", "mpeg4"] as const) {
    const path = codec === "h264" ? "copied streams (remux)" : "a transcode";
    it(`refuses a file whose header says 5 s but which holds 40 minutes, on the Free plan's 30 (${path}): ffmpeg stopped just past the limit, nothing stored`, async () => {
      const media = await headerUnderstatesDurationMkv({ seconds: 40 * 60, headerSeconds: 5, codec });

      const { projectId, error, project, events, elapsedMs } = await run(media);

      expect(error).toMatchObject({ name: "NonRetriableError" });
      expect(project).toMatchObject({ status: "error", errorCode: "too_long", playbackKey: null });
      expect(project.errorMessage).toBe(
        "This video is longer than the Free plan allows (30 min): its file says it lasts 5 s, but it holds more than 30 min of video. Trim it, or upgrade your plan.",
      );
      // The probe believed the header; the web MP4 step measured what ffmpeg made of it.
      expect(events.find((e) => e.kind === "stage_completed" && e.data.stage === "probe")?.data.media.durationSeconds).toBe(5);
      const refusal = events.at(-1)!;
      expect(refusal).toMatchObject({ kind: "error", message: project.errorMessage, data: { code: "too_long", headerSeconds: 5, maxDurationSeconds: 1800 } });
      // Told the limit, ffmpeg read 30 min and a second of the 40: never the rest.
      expect(refusal.data.measuredSeconds).toBeGreaterThan(1800.5);
      expect(refusal.data.measuredSeconds).toBeLessThanOrEqual(1802);
      await expectRefusedWithNothingStored(projectId);
      expect(elapsedMs).toBeLessThan(60_000);
    });
  }

  it("makes a file whose header says 5 s but which holds 24 s into a 24 s web MP4, and the project and its clips go by the 24 s", async () => {
    const media = await headerUnderstatesDurationMkv({ seconds: 24, headerSeconds: 5, codec: "h264", width: 64, height: 48, fps: 5 });

    const { projectId, result, project, events } = await run(media);

    expect(result).toMatchObject({ status: "ready" });
    expect(project.durationSeconds).toBeCloseTo(24, 0);
    expect(project.mediaInfo).toMatchObject({ durationSeconds: project.durationSeconds, headerDurationSeconds: 5 });
    expect(Number((await probeStored(project.playbackKey!)).format.duration)).toBeCloseTo(24, 0);
    const made = events.find((e) => e.kind === "stage_completed" && e.data.stage === "remux");
    expect(made?.data.durationSeconds).toBeCloseTo(24, 0);
    const clips = await clipRows(projectId);
    expect(clips.length).toBeGreaterThan(0);
    // A clip past 5 s exists only because the real length was used to place them.
    expect(Math.max(...clips.map((c) => c.endSeconds))).toBeGreaterThan(5);
    for (const clip of clips) expect(clip.endSeconds).toBeLessThanOrEqual(24.5);
  });
});

describe("a picture is capped by its pixel count", () => {
  it("refuses an 8192×8192 frame from a ~200 KB file at the probe, within seconds, saying how many megapixels it is and what is accepted", async () => {
    const media = await hugePictureMkv({ width: 8192, height: 8192 });
    expect(media.bytes.length).toBeLessThan(400 * 1024);

    const { projectId, error, project, events, elapsedMs } = await run(media);

    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(project).toMatchObject({ status: "error", errorCode: "dimensions_too_large" });
    expect(project.errorMessage).toBe(
      "This video is 8192×8192 pixels (67.1 megapixels a frame); we accept pictures up to 9.4 megapixels. Export it at a smaller size (4K UHD is 8.3 megapixels) and upload it again.",
    );
    expect(events.some((e) => e.kind === "stage_started" && ["remux", "transcode"].includes(e.data.stage))).toBe(false);
    await expectRefusedWithNothingStored(projectId);
    expect(elapsedMs).toBeLessThan(15_000);
  });

  it("has ffmpeg's own decoder refuse a picture over the cap before allocating it (the fence for a size that changes after the frames the probe read)", async () => {
    const source = path.join(work, "huge.mkv");
    await writeFile(source, (await hugePictureMkv({ width: 8192, height: 8192 })).bytes);
    const started = performance.now();

    const error = await ffmpegFailure(
      runFfmpeg({
        input: { file: source },
        demuxers: UPLOADED_VIDEO_DEMUXERS,
        outputArgs: ["-c:v", "libx264", "-preset", "ultrafast", "-vf", "scale=64:64", "-f", "mp4"],
        outputPath: path.join(work, "huge-out.mp4"),
        maxOutputBytes: 1e8,
        timeoutMs: 60_000,
      }),
    );

    expect(error.failure).toBe("failed");
    expect(error.stderrTail).toMatch(/8192x8192 exceeds specified max pixel count 9437184/);
    expect(performance.now() - started).toBeLessThan(5_000);
    const explained = explainLimitFailure(error, "Making the web MP4");
    expect(explained).toBeInstanceOf(ProcessingError);
    expect(explained).toMatchObject({ code: "dimensions_too_large" });
    expect((explained as ProcessingError).message).toMatch(/^Making the web MP4 was stopped: part of this video has a picture larger than the 9\.4 megapixels/);
  });
});

describe("each ffmpeg run is bounded in memory", () => {
  it("stops a decode that needs more than FFMPEG_MEMORY_LIMIT_MB, while the same run fits the default 1 GiB", async () => {
    const source = path.join(work, "huge-for-memory.mkv");
    await writeFile(source, (await hugePictureMkv({ width: 8192, height: 8192 })).bytes);
    const job = (name: string) => ({
      input: { file: source },
      demuxers: UPLOADED_VIDEO_DEMUXERS,
      outputArgs: ["-c:v", "libx264", "-preset", "ultrafast", "-vf", "scale=64:64", "-f", "mp4"],
      outputPath: path.join(work, name),
      maxOutputBytes: 1e8,
      timeoutMs: 60_000,
    });
    // The pixel cap would stop this picture first; lifted, only the memory limit remains.
    setEnvForProcess({ MEDIA_MAX_PIXELS: String(8192 * 8192) });
    await runFfmpeg(job("fits.mp4"));

    setEnvForProcess({ FFMPEG_MEMORY_LIMIT_MB: "128" });
    const error = await ffmpegFailure(runFfmpeg(job("too-big.mp4")));
    expect(error.failure).toBe("memory_limit");
    expect(error.message).toBe("ffmpeg needed more memory than its limit allows");
  });

  it("gives a run that encodes several clips the limit once per clip, which the same command held to one clip's limit exceeds", async () => {
    const source = path.join(work, "full-hd.mp4");
    await writeFile(source, (await h264AacMp4({ width: 1920, height: 1080, seconds: 2, fps: 10 })).bytes);
    const cuts = [0, 0.5, 1].map((seekSeconds) => ({ input: { file: source }, demuxers: UPLOADED_VIDEO_DEMUXERS, seekSeconds, durationSeconds: 1 }));
    const outputs = cuts.map((_, i) => ({
      args: ["-map", `${i}:v`, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-an", "-f", "mp4"],
      path: path.join(work, `cut-${i}.mp4`),
      maxBytes: 1e8,
    }));
    // One 1080p x264 encoder fits 512 MiB; three in one run need about 900.
    setEnvForProcess({ FFMPEG_MEMORY_LIMIT_MB: "512" });
    await runFfmpeg({ ...cuts[0]!, outputArgs: outputs[0]!.args, outputPath: outputs[0]!.path, maxOutputBytes: 1e8, timeoutMs: 120_000 });

    await runFfmpegMany({ inputs: cuts, outputs, timeoutMs: 120_000 });

    const heldToOne = await ffmpegFailure(
      runMediaTool({ tool: "ffmpeg", args: ffmpegManyArgs({ inputs: cuts, outputs }), timeoutMs: 120_000, memoryLimitBytes: memoryLimitBytes(1) }),
    );
    expect(heldToOne.failure).toBe("memory_limit");
  });

  it("ends a run over the memory limit in an error a person understands, without retrying it", async () => {
    setEnvForProcess({ MEDIA_MAX_PIXELS: String(8192 * 8192), FFMPEG_MEMORY_LIMIT_MB: "128" });
    const media = await hugePictureMkv({ width: 8192, height: 8192 });

    const { projectId, error, project, events } = await run(media);

    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(project).toMatchObject({ status: "error", errorCode: "memory_limit", processingAttempts: 1 });
    expect(project.errorMessage).toMatch(/^Making the web MP4 needed more memory than the 128 MiB allowed for one video and was stopped\./);
    expect(events.at(-1)).toMatchObject({ kind: "error", data: { code: "memory_limit" } });
    await expectRefusedWithNothingStored(projectId);
  });
});

describe("the memory-limited start", () => {
  it("still reports a missing ffmpeg as not started, although /bin/sh is what starts it", async () => {
    setEnvForProcess({ FFMPEG_PATH: path.join(work, "no-such-ffmpeg") });
    const error = await ffmpegFailure(
      runFfmpeg({
        input: { file: path.join(work, "huge.mkv") },
        demuxers: UPLOADED_VIDEO_DEMUXERS,
        outputArgs: ["-c", "copy", "-f", "mp4"],
        outputPath: path.join(work, "never.mp4"),
        maxOutputBytes: 1e6,
        timeoutMs: 10_000,
      }),
    );
    expect(error.failure).toBe("not_started");
    expect(error.message).toMatch(/^ffmpeg could not be started: .*no-such-ffmpeg/);
  });
});
