import { beforeEach, describe, expect, it, vi } from "vitest";
import { keyframesAndDuration, probe } from "@/lib/media/ffprobe";
import { runMediaTool } from "@/lib/media/run-media-tool";

// What ffprobe is started with; running it on real media is tested in tests/integration/processing.

vi.mock("@/lib/media/run-media-tool", () => ({
  runMediaTool: vi.fn(async () => ({ stdout: "{}", stderrTail: "", elapsedMs: 1 })),
}));

const argsOfRun = () => vi.mocked(runMediaTool).mock.calls[0]![0].args;
const threadsBeforeInput = (args: string[]) => {
  const input = args.indexOf("-i");
  return args.slice(0, input).flatMap((arg, i, before) => (arg === "-threads" ? [before[i + 1]] : []));
};

beforeEach(() => {
  vi.mocked(runMediaTool).mockClear();
});

describe("ffprobe's runs", () => {
  it("decode the source's first frames on one thread, whatever FFMPEG_THREADS says", async () => {
    await probe({ url: "http://127.0.0.1:9000/b/k?sig=1", headers: { "If-Match": '"abc"' } }, { demuxers: ["mov"], timeoutMs: 1000 });
    expect(threadsBeforeInput(argsOfRun())).toEqual(["1"]);
  });

  it("read a web MP4's packets with one decoding thread too", async () => {
    await keyframesAndDuration({ file: "/tmp/x/web.mp4" }, { demuxers: ["mov"], timeoutMs: 1000 });
    expect(threadsBeforeInput(argsOfRun())).toEqual(["1"]);
  });
});
