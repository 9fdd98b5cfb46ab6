import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { getObjectRange, headObject, putObject } from "@/lib/storage/objects";
import { verifyStoredVideo } from "@/lib/uploads/verify-stored-video";
import { retryProjectOrThrow } from "@/lib/projects/retry-project";
import { h264AacMp4, type TestMedia } from "@/tests/support/media";
import { removeJobRunnerAfter } from "@/tests/support/job-runner";
import { testUser } from "@/tests/support/users";
import { isolateScratchFolders, outputObjects, projectView, testEngine, timeline, usageRows } from "../processing/support";
import { MiB, mp4Bytes, ProcessEventProbe, putToStorage, routes, setSmallMultipartThresholds, uploadParts } from "./upload-client";

// A presigned PUT stays valid after completion until it expires: whoever holds it can put
// other bytes under the verified key. Processing must read only the object completion
// verified, and a replaced one must end the project in a clear error, not be processed.

const hooks = vi.hoisted(() => ({
  beforeProbe: null as null | (() => Promise<void>),
  afterProbe: null as null | (() => Promise<void>),
  beforeFfmpeg: null as null | (() => Promise<void>),
  whileFfmpegRuns: null as null | (() => Promise<void>),
  ffmpegOutcomes: [] as ("ok" | string)[],
}));

// A swap once the source step has looked at the object, just before ffprobe opens it.
vi.mock("@/lib/media/ffprobe", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/media/ffprobe")>();
  return {
    ...original,
    probe: async (...args: Parameters<typeof original.probe>) => {
      await hooks.beforeProbe?.();
      return original.probe(...args);
    },
  };
});

// A swap once the probe step has done its work (the next step is the web MP4).
vi.mock("@/lib/processing/probe-source", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/processing/probe-source")>();
  return {
    ...original,
    probeSource: async (...args: Parameters<typeof original.probeSource>) => {
      const media = await original.probeSource(...args);
      await hooks.afterProbe?.();
      return media;
    },
  };
});

// A swap after the web MP4 step signed its read and just before ffmpeg opens it; the
// outcome of that ffmpeg run is kept to show what it could read.
vi.mock("@/lib/media/ffmpeg", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/media/ffmpeg")>();
  return {
    ...original,
    runFfmpeg: async (job: Parameters<typeof original.runFfmpeg>[0]) => {
      await hooks.beforeFfmpeg?.();
      let during: Promise<void> | undefined;
      const whileRunning = hooks.whileFfmpegRuns;
      const onProgress: typeof job.onProgress = job.onProgress && ((update) => {
        during ??= whileRunning?.();
        job.onProgress!(update);
      });
      try {
        const result = await original.runFfmpeg({ ...job, onProgress });
        await during;
        hooks.ffmpegOutcomes.push("ok");
        return result;
      } catch (error) {
        hooks.ffmpegOutcomes.push(error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
  };
});

isolateScratchFolders("verified-source");

const user = testUser("verified-source");
let original: TestMedia;
let replacement: TestMedia;

beforeAll(async () => {
  original = await h264AacMp4({ seconds: 3, width: 160, height: 120 });
  // Another video, valid and different in every way the outputs would show.
  replacement = await h264AacMp4({ seconds: 5, width: 320, height: 240 });
  // Storage refuses a presigned PUT whose body length is not the signed one (as R2 does), so a
  // replacement sent through the still-valid URL has the original's length.
  [original, replacement] = ofOneLength(original, replacement);
});

/** Pads the shorter video with a trailing MP4 `free` box, which players and ffmpeg skip. */
function ofOneLength(a: TestMedia, b: TestMedia): [TestMedia, TestMedia] {
  const length = Math.max(a.bytes.length, b.bytes.length);
  const pad = (media: TestMedia): TestMedia => {
    const missing = length - media.bytes.length;
    if (missing === 0) return media;
    if (missing < 8) throw new Error("the videos differ in length by less than an MP4 box header");
    const box = Buffer.alloc(missing);
    box.writeUInt32BE(missing, 0);
    box.write("free", 4, "latin1");
    return { ...media, bytes: Buffer.concat([media.bytes, box]) };
  };
  return [pad(a), pad(b)];
}

beforeEach(() => {
  ProcessEventProbe.install();
  hooks.beforeProbe = null;
  hooks.afterProbe = null;
  hooks.beforeFfmpeg = null;
  hooks.whileFfmpegRuns = null;
  hooks.ffmpegOutcomes = [];
});
removeJobRunnerAfter("all");

/** An upload completed through the routes, as a browser does; the presigned PUT URL stays valid. */
async function completedUpload(media: TestMedia) {
  const { body } = await routes.create(user, { filename: media.filename, size: media.bytes.length, contentType: media.contentType });
  expect((await putToStorage(body.url, media.bytes, body.headers)).status).toBe(200);
  const completed = await routes.complete(user, body.uploadId);
  expect(completed.body).toEqual({ projectId: body.projectId, status: "queued" });
  const replace = async () => {
    const put = await putToStorage(body.url, replacement.bytes, body.headers);
    expect(put.status).toBe(200);
  };
  return { projectId: body.projectId as string, key: body.key as string, replace };
}

async function verifiedSourceOf(projectId: string) {
  const [row] = await db()<{ etag: string | null; size: number | null }[]>`
    select source_etag as etag, source_size::float8 as size from projects where id = ${projectId}`;
  return row!;
}

async function expectSourceChanged(projectId: string) {
  const { result, error } = await testEngine(projectId, user.id).execute();
  expect(result).toBeUndefined();
  expect(error).toMatchObject({ name: "NonRetriableError" });
  const project = await projectView(projectId);
  expect(project).toMatchObject({
    status: "error",
    errorCode: "source_changed",
    errorMessage: "The uploaded file was replaced after it was checked, so it was not processed. Upload the video again.",
    playbackKey: null,
    thumbnailKey: null,
    processingAttempts: expect.any(Number),
  });
  expect(project.processingAttempts).toBeLessThanOrEqual(1);
  const events = await timeline(projectId);
  expect(events.filter((e) => e.kind === "error")).toHaveLength(1);
  expect(events.at(-1)).toMatchObject({ kind: "error", data: { code: "source_changed" } });
  expect(await outputObjects(user.id, projectId)).toEqual([]);
  expect(await usageRows(projectId)).toBe(0);
  return project;
}

describe("what was verified is what is processed", () => {
  it("records the verified object's ETag and size with the project at completion (single PUT and multipart)", async () => {
    const single = await completedUpload(original);
    const head = await headObject(single.key);
    expect(await verifiedSourceOf(single.projectId)).toEqual({ etag: head!.etag, size: original.bytes.length });

    const restore = setSmallMultipartThresholds();
    try {
      const data = mp4Bytes(6 * MiB);
      const { body } = await routes.create(user, { filename: "long.mp4", size: data.length, contentType: "video/mp4" });
      await uploadParts(user, body.uploadId, data, body.partSize, [1, 2]);
      expect((await routes.complete(user, body.uploadId)).body).toMatchObject({ status: "queued" });
      const multipartHead = await headObject(body.key);
      expect(multipartHead!.etag).toMatch(/-2"$/);
      expect(await verifiedSourceOf(body.projectId)).toEqual({ etag: multipartHead!.etag, size: data.length });
    } finally {
      restore();
    }
  });

  it("answers changed, not verified, when the object is replaced between completion's HEAD and its sniff (the sniff reads with If-Match)", async () => {
    const key = `uploads/${user.id}/${crypto.randomUUID()}/swap.mp4`;
    await putObject(key, original.bytes, { contentType: original.contentType });
    const staleHead = await headObject(key);
    await putObject(key, replacement.bytes.subarray(0, original.bytes.length), { contentType: replacement.contentType });
    const check = await verifyStoredVideo(key, { expectedSize: original.bytes.length }, { head: async () => staleHead, readRange: getObjectRange });
    expect(check).toEqual({ ok: false, problem: "changed" });
    const fresh = await verifyStoredVideo(key, { expectedSize: original.bytes.length });
    expect(fresh).toMatchObject({ ok: true, etag: (await headObject(key))!.etag });
  });

  it("processes a completed upload nobody replaced to ready, reading it under its verified ETag", async () => {
    const { projectId } = await completedUpload(original);
    const { result } = await testEngine(projectId, user.id).execute();
    expect(result).toMatchObject({ status: "ready" });
    expect(await projectView(projectId)).toMatchObject({ status: "ready", width: 160, height: 120, errorCode: null });
    // The web MP4, then the thumbnail and clips (from the web MP4).
    expect(hooks.ffmpegOutcomes.length).toBeGreaterThan(0);
    expect(hooks.ffmpegOutcomes.every((outcome) => outcome === "ok")).toBe(true);
  });

  it("ends in source_changed, without probing or transcoding, when the file is PUT again through its still-valid URL after completion", async () => {
    const { projectId, replace } = await completedUpload(original);
    await replace();
    const project = await expectSourceChanged(projectId);
    expect(project.mediaInfo).toBeNull();
    expect(project.width).toBeNull();
    expect(hooks.ffmpegOutcomes).toEqual([]);
  });

  it("ends in source_changed when the file is replaced after the source step looked, as ffprobe opens it: storage refuses the read (412), nothing of the other is described", async () => {
    const { projectId, replace } = await completedUpload(original);
    hooks.beforeProbe = replace;
    const project = await expectSourceChanged(projectId);
    expect(project.mediaInfo).toBeNull();
    expect(project.width).toBeNull();
    expect(hooks.ffmpegOutcomes).toEqual([]);
  });

  it("verifies the stored file again on Retry: a video of the declared size put back becomes the verified one; anything else keeps the old one", async () => {
    const { projectId, key, replace } = await completedUpload(original);
    await replace();
    await expectSourceChanged(projectId);
    const verifiedBefore = await verifiedSourceOf(projectId);

    // Not a video: the recorded ETag stays, so the retried run refuses it again.
    await putObject(key, Buffer.alloc(original.bytes.length, 0x20), { contentType: "video/mp4" });
    await retryProjectOrThrow(user.claims, projectId);
    expect(await verifiedSourceOf(projectId)).toEqual(verifiedBefore);
    await db()`update projects set status = 'error' where id = ${projectId}`;

    // The readable file of the declared size: it is verified and processed.
    await putObject(key, replacement.bytes, { contentType: replacement.contentType });
    await retryProjectOrThrow(user.claims, projectId);
    const head = await headObject(key);
    expect(await verifiedSourceOf(projectId)).toEqual({ etag: head!.etag, size: original.bytes.length });
  });

  it("ends in source_changed when the file is replaced between the probe and the web MP4 step: the probe saw the verified video, nothing is made from the other", async () => {
    const { projectId, replace } = await completedUpload(original);
    hooks.afterProbe = replace;
    const project = await expectSourceChanged(projectId);
    expect(project).toMatchObject({ width: 160, height: 120 });
    expect(hooks.ffmpegOutcomes).toEqual([]);
  });

  it("ends in source_changed when the file is replaced as ffmpeg opens it: storage refuses ffmpeg's read (412), so it reads none of the other bytes", async () => {
    const { projectId, replace } = await completedUpload(original);
    hooks.beforeFfmpeg = replace;
    await expectSourceChanged(projectId);
    expect(hooks.ffmpegOutcomes).toHaveLength(1);
    expect(hooks.ffmpegOutcomes[0]).toMatch(/Server returned 4XX Client Error/);
  });

  it("ends in source_changed when the file is replaced while ffmpeg makes the web MP4, even if its read had begun: nothing it made is stored", async () => {
    const { projectId, replace } = await completedUpload(original);
    hooks.whileFfmpegRuns = replace;
    await expectSourceChanged(projectId);
    expect(hooks.ffmpegOutcomes).toHaveLength(1);
  });
});
