import { describe, expect, it } from "vitest";
import { ffmpegArgs } from "@/lib/media/ffmpeg";
import { inputArgs, UPLOADED_VIDEO_DEMUXERS, WEB_MP4_DEMUXERS } from "@/lib/media/media-input";
import { redactText } from "@/lib/media/run-media-tool";

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
