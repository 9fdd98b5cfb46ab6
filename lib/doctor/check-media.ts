import { inspectMediaTools } from "@/lib/media/inspect-media-tools";
import { runCheck, type CheckResult } from "./types";

/** ffmpeg and ffprobe present and runnable on this machine, with the encoders the pipeline uses. */
export function checkMedia(): Promise<CheckResult> {
  return runCheck("media: ffmpeg and ffprobe", async () => {
    const report = await inspectMediaTools();
    return { status: report.ready ? "pass" : "fail", detail: report.summary };
  });
}
