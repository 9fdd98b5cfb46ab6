import { describe, expect, it } from "vitest";
import { MediaToolError } from "@/lib/media/run-media-tool";
import { explainProbeFailure } from "@/lib/processing/probe-source";
import { ProcessingError } from "@/lib/processing/processing-error";
import { useUnitEnv } from "@/tests/support/unit-env";

const ffprobeSaid = (stderr: string) => explainProbeFailure(new MediaToolError("failed", "ffprobe", stderr, 1));

describe("what ffprobe's refusals mean for a person", () => {
  it("names a playlist the demuxer allowlist refused", () => {
    const verdict = ffprobeSaid("[hls @ 0x55d1] Format not on whitelist 'mov,matroska,avi'\n<source>: Invalid argument");
    expect(verdict).toMatchObject({ code: "unsupported_format", details: { format: "hls" } });
    expect(verdict.message).toMatch(/HLS playlist/);
  });

  it("says an MP4 without its index is incomplete", () => {
    expect(ffprobeSaid("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\n<source>: Invalid data found when processing input")).toMatchObject({
      code: "damaged_file",
    });
  });

  it("says anything else unreadable is not a video", () => {
    expect(ffprobeSaid("<source>: Invalid data found when processing input")).toMatchObject({ code: "not_a_video" });
  });

  it("says the file is gone when storage answers 404", () => {
    expect(ffprobeSaid("[http @ 0x1] HTTP error 404 Not Found\n<source>: Server returned 404 Not Found")).toMatchObject({
      code: "source_missing",
    });
  });

  it("leaves storage trouble to be retried rather than blaming the file", () => {
    for (const stderr of [
      "[tcp @ 0x1] Connection to tcp://127.0.0.1:4568 failed: Connection refused",
      "<source>: Server returned 503 Service Unavailable",
      "<source>: Server returned 403 Forbidden (access denied)",
      "<source>: Input/output error",
    ]) {
      expect(ffprobeSaid(stderr)).not.toBeInstanceOf(ProcessingError);
    }
  });

  it("ends a probe stopped by the memory limit with the memory message, not a retry", () => {
    useUnitEnv({ FFMPEG_MEMORY_LIMIT_MB: "512" });
    const verdict = explainProbeFailure(new MediaToolError("memory_limit", "ffprobe", "Cannot allocate memory", 1));
    expect(verdict).toBeInstanceOf(ProcessingError);
    expect(verdict).toMatchObject({ code: "memory_limit" });
    expect(verdict.message).toMatch(/^Reading this file needed more memory than the 512 MiB allowed for one video/);
  });

  it("leaves a timeout to be retried", () => {
    const timeout = new MediaToolError("timeout", "ffprobe", "", null);
    expect(explainProbeFailure(timeout)).toBe(timeout);
  });
});
