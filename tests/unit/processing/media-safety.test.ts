import { beforeEach, describe, expect, it } from "vitest";
import { envSource, parseEnv, setEnvForProcess } from "@/lib/env";
import { ffmpegArgs } from "@/lib/media/ffmpeg";
import { inputArgs, UPLOADED_VIDEO_DEMUXERS, WEB_MP4_DEMUXERS } from "@/lib/media/media-input";
import { redactText, withMemoryLimit } from "@/lib/media/run-media-tool";
import { useUnitEnv } from "@/tests/support/unit-env";

const BOUNDS = ["FFMPEG_THREADS", "FFMPEG_MEMORY_LIMIT_MB", "MEDIA_MAX_PIXELS"];

beforeEach(() => {
  setEnvForProcess(Object.fromEntries(BOUNDS.map((name) => [name, undefined])));
  useUnitEnv();
});

describe("how untrusted media is opened", () => {
  it("allows only the accepted containers' demuxers: no playlists, concat lists or image sequences", () => {
    const args = inputArgs({ file: "/tmp/x/source" }, UPLOADED_VIDEO_DEMUXERS);
    const allowed = args[args.indexOf("-format_whitelist") + 1]!.split(",");
    expect(allowed).toEqual(["mov", "matroska", "avi"]);
    for (const risky of ["hls", "dash", "concat", "image2", "lavfi", "tty", "mpegts"]) expect(allowed).not.toContain(risky);
    expect(WEB_MP4_DEMUXERS).toEqual(["mov"]);
  });

  it("allows only the protocol the input needs", () => {
    const whitelist = (args: string[]) => args[args.indexOf("-protocol_whitelist") + 1];
    expect(whitelist(inputArgs({ url: "http://127.0.0.1:9000/b/k?sig=1" }, ["mov"]))).toBe("http,tcp");
    expect(whitelist(inputArgs({ url: "https://acct.r2.cloudflarestorage.com/b/k?sig=1" }, ["mov"]))).toBe("https,tls,tcp");
    expect(whitelist(inputArgs({ file: "/tmp/x/clip.mp4" }, ["mov"]))).toBe("file");
  });

  it("refuses any other kind of input location", () => {
    expect(() => inputArgs({ url: "ftp://example.com/video.mp4" }, ["mov"])).toThrow(/http\(s\) URLs or local files/);
  });

  it("puts the whitelists before the input they guard and caps the output size", () => {
    const args = ffmpegArgs({
      input: { url: "http://127.0.0.1:9000/b/k" },
      demuxers: ["mov"],
      outputArgs: ["-c", "copy"],
      outputPath: "/tmp/x/out.mp4",
      maxOutputBytes: 1000,
    });
    expect(args.indexOf("-protocol_whitelist")).toBeLessThan(args.indexOf("-i"));
    expect(args.indexOf("-format_whitelist")).toBeLessThan(args.indexOf("-i"));
    expect(args.slice(-3)).toEqual(["-fs", "1000", "file:/tmp/x/out.mp4"]);
    expect(args).toContain("-nostdin");
  });

  it("keeps signed URLs out of error messages", () => {
    const url = "http://127.0.0.1:9000/bucket/uploads/a.mp4?X-Amz-Signature=abc";
    expect(redactText(`${url}: Invalid data found when processing input`, [url])).toBe("<source>: Invalid data found when processing input");
    expect(redactText("Opening 'https://other.example/x?sig=1' failed")).not.toContain("other.example");
  });
});

describe("bounds on every ffmpeg run", () => {
  const job = {
    input: { url: "http://127.0.0.1:9000/b/k" },
    demuxers: ["mov"],
    outputArgs: ["-c:v", "libx264"],
    outputPath: "/tmp/x/out.mp4",
    maxOutputBytes: 1000,
  };
  const optionBefore = (args: string[], option: string, anchor: number) => args[args.lastIndexOf(option, anchor) + 1];

  it("bounds decoder, filter and encoder threads by FFMPEG_THREADS (default 2) and a one-frame decode to 1", () => {
    const args = ffmpegArgs(job);
    const input = args.indexOf("-i");
    expect(optionBefore(args, "-threads", input)).toBe("2");
    expect(optionBefore(args, "-threads", args.length - 1)).toBe("2");
    expect(args.lastIndexOf("-threads")).toBeGreaterThan(input);
    expect(args[args.indexOf("-filter_threads") + 1]).toBe("2");
    expect(optionBefore(ffmpegArgs({ ...job, oneFrame: true }), "-threads", ffmpegArgs({ ...job, oneFrame: true }).indexOf("-i"))).toBe("1");

    useUnitEnv({ FFMPEG_THREADS: "3" });
    const three = ffmpegArgs(job);
    expect(three.filter((a, i) => three[i - 1] === "-threads" || three[i - 1] === "-filter_threads")).toEqual(["3", "3", "3"]);
  });

  it("tells the decoder the pixel cap (MEDIA_MAX_PIXELS, default 4096×2304) so it refuses a larger picture before allocating it", () => {
    const args = ffmpegArgs(job);
    expect(args.indexOf("-max_pixels")).toBeLessThan(args.indexOf("-i"));
    expect(args[args.indexOf("-max_pixels") + 1]).toBe(String(4096 * 2304));
    useUnitEnv({ MEDIA_MAX_PIXELS: "2073600" });
    const fullHd = ffmpegArgs(job);
    expect(fullHd[fullHd.indexOf("-max_pixels") + 1]).toBe("2073600");
  });

  it("starts the tool through /bin/sh with its data segment limited, exec'ing it with its arguments untouched", () => {
    const run = withMemoryLimit("/usr/bin/ffmpeg", ["-i", "file:/tmp/a b$(x).mp4"], 1024 * 1024 * 1024);
    expect(run.command).toBe("/bin/sh");
    expect(run.args).toEqual(["-c", 'ulimit -d 1048576 && exec "$0" "$@"', "/usr/bin/ffmpeg", "-i", "file:/tmp/a b$(x).mp4"]);
  });

  it("refuses settings that would lift the bounds", () => {
    for (const [name, value] of [["FFMPEG_THREADS", "0"], ["FFMPEG_MEMORY_LIMIT_MB", "0"], ["FFMPEG_MEMORY_LIMIT_MB", "32"], ["MEDIA_MAX_PIXELS", "-1"]]) {
      expect(() => parseEnv({ ...envSource(), [name!]: value })).toThrow(name);
    }
    expect(parseEnv(envSource())).toMatchObject({ FFMPEG_THREADS: 2, FFMPEG_MEMORY_LIMIT_MB: 1024, MEDIA_MAX_PIXELS: 9_437_184 });
  });
});
