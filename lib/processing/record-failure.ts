import type { Db } from "@/lib/db/client";
import { getProject } from "@/lib/db/queries/projects";
import { redactText } from "@/lib/media/run-media-tool";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { failRun } from "./run-state";
import { removeRunWorkspace } from "./run-workspace";
import { stages, type StageName } from "./stages";

/**
 * The last word on a run that failed for a reason nobody foresaw (storage down through
 * every retry, ffmpeg crashing): the project goes to `error` with the stage it stopped
 * in and an invitation to retry. A project already in `error` (a ProcessingError said
 * why), gone (deleted), or held by another run by now (the reconciler restarted it) is
 * left as it is. The webhook event of the change is sent once it is committed.
 */
export async function recordUnexpectedFailure(
  db: Db,
  params: { projectId: string; userId: string; runId: string; error: { name?: string; message?: string } },
): Promise<boolean> {
  await removeRunWorkspace(params);
  const project = await getProject(db, params);
  if (!project) return false;
  const stage = project.stage && project.stage in stages ? stages[project.stage as StageName] : null;
  const where = stage ? ` while ${stage.label.charAt(0).toLowerCase()}${stage.label.slice(1)}` : "";
  const failed = await failRun(
    db,
    { projectId: params.projectId, userId: params.userId, runId: params.runId },
    {
      code: "processing_failed",
      message: `Processing stopped${where}: it failed on every attempt. Retry; if it fails again, upload the video again.`,
      data: { stage: project.stage, error: redactText(params.error.message ?? params.error.name ?? "unknown error").slice(0, 500) },
    },
  );
  if (failed) await sendStatusChangeEvents(params);
  return failed;
}
