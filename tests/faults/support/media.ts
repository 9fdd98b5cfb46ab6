import { vp9OpusWebm, type TestMedia } from "@/tests/support/media";

// Media the fault scenarios need, from the shared recipes of tests/support/media.ts: a
// recording whose transcode lasts long enough to be killed in the middle, and (noisyMp4, two
// 5 MiB parts at its default length) a file big enough to be a multipart upload.

export { noisyMp4 } from "@/tests/support/media";

/** VP9 + Opus, 640×360, `seconds` long: transcoded to H.264, which takes a few seconds here. */
export async function longRecordingWebm(seconds = 20): Promise<TestMedia> {
  const recording = await vp9OpusWebm({ seconds, width: 640, height: 360, fps: 24 });
  return { ...recording, filename: "long-recording.webm" };
}
