import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { runFfmpeg } from "@/lib/media/ffmpeg";
import { probe } from "@/lib/media/ffprobe";
import { UPLOADED_VIDEO_DEMUXERS } from "@/lib/media/media-input";
import { MediaToolError } from "@/lib/media/run-media-tool";
import { withTempDir } from "@/lib/media/temp-dir";
import { storedMedia } from "@/lib/processing/stored-media";
import { putObject } from "@/lib/storage/objects";
import { h264AacMp4, hlsPlaylistDisguisedAsMp4, localSegment } from "@/tests/support/media";

// The fences around every ffmpeg/ffprobe run over untrusted media, exercised directly.

let work: string;
let video: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-media-tools-"));
  setEnvForProcess({ MEDIA_TEMP_DIR: path.join(work, "scratch") });
  video = path.join(work, "input.mp4");
  await writeFile(video, (await h264AacMp4({ seconds: 4 })).bytes);
});

async function failure(run: Promise<unknown>): Promise<MediaToolError> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MediaToolError);
  return error as MediaToolError;
}

describe("running ffmpeg on untrusted media", () => {
  it("kills ffmpeg at its wall-clock limit", async () => {
    const started = Date.now();
    const error = await failure(
      runFfmpeg({
        input: { file: video },
        demuxers: UPLOADED_VIDEO_DEMUXERS,
        outputArgs: ["-c:v", "libx264", "-preset", "veryslow", "-f", "mp4"],
        outputPath: path.join(work, "slow.mp4"),
        maxOutputBytes: 1e9,
        timeoutMs: 200,
      }),
    );
    expect(error.failure).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("stops ffmpeg when its output reaches the size cap, instead of keeping a truncated file as success", async () => {
    const input = await stat(video);
    const error = await failure(
      runFfmpeg({
        input: { file: video },
        demuxers: UPLOADED_VIDEO_DEMUXERS,
        outputArgs: ["-c", "copy", "-f", "mp4"],
        outputPath: path.join(work, "capped.mp4"),
        maxOutputBytes: Math.floor(input.size / 4),
        timeoutMs: 30_000,
      }),
    );
    expect(error.failure).toBe("output_too_large");
  });

  it("removes its scratch directory after success, after an error and after a killed ffmpeg", async () => {
    const dirs: string[] = [];
    await withTempDir(async (dir) => void dirs.push(dir));
    await withTempDir(async (dir) => {
      dirs.push(dir);
      throw new Error("step failed");
    }).catch(() => {});
    await withTempDir(async (dir) => {
      dirs.push(dir);
      await runFfmpeg({
        input: { file: video },
        demuxers: UPLOADED_VIDEO_DEMUXERS,
        outputArgs: ["-c:v", "libx264", "-preset", "veryslow", "-f", "mp4"],
        outputPath: path.join(dir, "out.mp4"),
        maxOutputBytes: 1e9,
        timeoutMs: 200,
      });
    }).catch(() => {});
    expect(dirs).toHaveLength(3);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(await readdir(path.join(work, "scratch"))).toEqual([]);
  });
});

describe("a playlist disguised as .mp4 that points at a local file", () => {
  it("is refused by the demuxer allowlist, even when opened as a local file", async () => {
    const segment = await localSegment();
    const playlist = path.join(work, "holiday.mp4");
    await writeFile(playlist, hlsPlaylistDisguisedAsMp4(segment.file).bytes);
    const error = await failure(probe({ file: playlist }, { demuxers: UPLOADED_VIDEO_DEMUXERS, timeoutMs: 30_000 }));
    expect(error.stderrTail).toMatch(/\[hls @ [^\]]+\] Format not on whitelist/);
  });

  it("cannot reach the local file through the protocol whitelist even if playlists were allowed", async () => {
    const segment = await localSegment();
    const ownerId = randomUUID();
    const key = `uploads/${ownerId}/${randomUUID()}/holiday.mp4`;
    await putObject(key, hlsPlaylistDisguisedAsMp4(segment.file).bytes, { contentType: "video/mp4" });
    const output = path.join(work, "from-playlist.mp4");

    const error = await failure(
      runFfmpeg({
        input: await storedMedia(ownerId, key),
        demuxers: [...UPLOADED_VIDEO_DEMUXERS, "hls"],
        outputArgs: ["-c", "copy", "-f", "mp4"],
        outputPath: output,
        maxOutputBytes: 1e9,
        timeoutMs: 30_000,
      }),
    );

    expect(error.stderrTail).toMatch(/Protocol 'file' not on whitelist 'http,tcp'/);
    const written = existsSync(output) ? (await stat(output)).size : 0;
    expect(written).toBe(0);
    // The signed URL never appears in what is reported.
    expect(error.message).not.toContain("X-Amz-Signature");
  });
});
