import type { ProjectStatus } from "@/lib/db/queries/projects";

const statusLabel: Record<ProjectStatus, string> = {
  uploading: "Uploading",
  queued: "Queued",
  processing: "Processing",
  ready: "Ready",
  error: "Failed",
  canceled: "Canceled",
  expired: "Expired",
};

const stageLabel: Record<string, string> = {
  "check-source": "Checking the upload",
  "usage-gate": "Checking your plan",
  download: "Downloading",
  probe: "Reading the video",
  remux: "Making the web video",
  transcode: "Making the web video",
  "web-mp4": "Making the web video",
  thumbnail: "Making the thumbnail",
  clips: "Cutting clips",
};

export function describeStage(stage: string | null): string | null {
  if (!stage) return null;
  return stageLabel[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1).replace(/[-_]/g, " ");
}

export function inFlight(status: ProjectStatus): boolean {
  return status === "uploading" || status === "queued" || status === "processing";
}

/** Status with its stage and progress, e.g. "Processing · Making the web video · 42%". */
export function StatusBadge({ status, stage, progress }: { status: ProjectStatus; stage: string | null; progress: number }) {
  const stageText = inFlight(status) ? describeStage(stage) : null;
  return (
    <span className={`status status-${status}`}>
      <span className="status-dot" aria-hidden="true" />
      {statusLabel[status]}
      {stageText && <span className="status-stage"> · {stageText}</span>}
      {status === "processing" && <span className="status-progress"> · {progress}%</span>}
    </span>
  );
}
