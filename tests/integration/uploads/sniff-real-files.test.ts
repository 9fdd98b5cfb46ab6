import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegPath } from "@/lib/media/binaries";
import { sniffContainer, SNIFF_BYTES } from "@/lib/uploads/sniff-container";

// Real files written by ffmpeg, so the sniffing is checked against what encoders produce
// rather than only against hand-made headers.
describe("sniffing files ffmpeg writes", () => {
  let dir: string;
  const head = (name: string) => readFileSync(path.join(dir, name)).subarray(0, SNIFF_BYTES);

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sniff-"));
    const source = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.3"];
    const make = (name: string, args: string[]) =>
      execFileSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-y", ...source, ...args, path.join(dir, name)]);
    make("clip.mp4", ["-c:v", "mpeg4"]);
    make("clip.mov", ["-c:v", "mpeg4"]);
    make("clip.m4v", ["-c:v", "mpeg4", "-f", "ipod"]);
    make("clip.webm", ["-c:v", "libvpx"]);
    make("clip.mkv", ["-c:v", "mpeg4"]);
    make("clip.avi", ["-c:v", "mpeg4"]);
    make("still.png", ["-frames:v", "1"]);
    writeFileSync(path.join(dir, "playlist.m3u8"), "#EXTM3U\n#EXTINF:10,\nseg0.ts\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["clip.mp4", "iso-bmff"],
    ["clip.mov", "iso-bmff"],
    ["clip.m4v", "iso-bmff"],
    ["clip.webm", "webm"],
    ["clip.mkv", "matroska"],
    ["clip.avi", "avi"],
  ])("recognises %s as %s", (name, container) => {
    expect(sniffContainer(head(name))?.container).toBe(container);
  });

  it.each(["still.png", "playlist.m3u8"])("refuses %s", (name) => {
    expect(sniffContainer(head(name))).toBeNull();
  });
});
