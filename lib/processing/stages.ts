// The stages a person sees on the project page, in order, with the share of the overall
// progress bar each one covers. The web MP4 dominates: it is where transcoding happens.

export type StageName = "source" | "usage" | "probe" | "remux" | "transcode" | "thumbnail" | "clips" | "finalize";

type StageInfo = { label: string; from: number; to: number };

export const stages: Record<StageName, StageInfo> = {
  source: { label: "Checking the uploaded file", from: 0, to: 2 },
  usage: { label: "Checking the plan's monthly limit", from: 2, to: 4 },
  probe: { label: "Reading the video's format", from: 4, to: 8 },
  remux: { label: "Making the web MP4 (remux, no re-encode)", from: 8, to: 80 },
  transcode: { label: "Making the web MP4 (transcoding to H.264/AAC)", from: 8, to: 80 },
  thumbnail: { label: "Picking a thumbnail", from: 80, to: 84 },
  clips: { label: "Cutting highlight clips", from: 84, to: 98 },
  finalize: { label: "Finishing", from: 98, to: 100 },
};

/** Overall progress (0–100) when `fraction` of a stage is done. */
export function overallProgress(stage: StageName, fraction: number): number {
  const { from, to } = stages[stage];
  const clamped = Math.min(1, Math.max(0, fraction));
  return Math.round(from + (to - from) * clamped);
}
