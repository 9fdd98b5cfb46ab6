import { describe, expect, it } from "vitest";
import { mediaToolsInstallHint } from "@/lib/media/install-hint";

describe("what to install when ffmpeg is missing", () => {
  it("names apt-get on Debian and on Ubuntu (ID_LIKE)", () => {
    expect(mediaToolsInstallHint("linux", 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n')).toMatch(/^apt-get install -y ffmpeg /);
    expect(mediaToolsInstallHint("linux", "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n")).toMatch(/^apt-get install -y ffmpeg /);
  });

  it("names brew on macOS and apk on Alpine", () => {
    expect(mediaToolsInstallHint("darwin", "")).toMatch(/^brew install ffmpeg /);
    expect(mediaToolsInstallHint("linux", "ID=alpine\n")).toMatch(/^apk add ffmpeg /);
  });

  it("falls back to FFMPEG_PATH and FFPROBE_PATH where it cannot tell", () => {
    const hint = mediaToolsInstallHint("freebsd", "");
    expect(hint).toContain("FFMPEG_PATH and FFPROBE_PATH");
    expect(hint).not.toMatch(/apt-get|brew/);
  });
});
