import type { ProjectStatus } from "@/lib/db/queries/projects";
import { stages } from "@/lib/processing/stages";

const statusLabel: Record<ProjectStatus, string> = {
  uploading: "Uploading",
  queued: "Queued",
  processing: "Processing",
  ready: "Ready",
  error: "Failed",
  canceled: "Canceled",
  expired: "Expired",
};

const importStages: Record<string, string> = { download: "Downloading the link" };

/** The stage as process-video names it for a person (lib/processing/stages.ts), or a readable fallback. */
export function describeStage(stage: string | null): string | null {
  if (!stage) return null;
  const known = (stages as Record<string, { label: string } | undefined>)[stage]?.label ?? importStages[stage];
  return known ?? stage.charAt(0).toUpperCase() + stage.slice(1).replace(/[-_]/g, " ");
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
