import { NonRetriableError } from "inngest";
import type { Db } from "@/lib/db/client";
import { failProjectForRun, getProcessingProject, updateRunState, updateRunStateWithEvent, type RunClaim } from "@/lib/db/queries/processing";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { failProject } from "@/lib/projects/transitions";
import { log } from "@/lib/log";
import { deleteProjectOutputs } from "@/lib/storage/objects";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { explainUnavailableTool } from "./explain-unavailable-tool";
import { ProcessingError, RunNoLongerHoldsProject } from "./processing-error";
import { removeRunWorkspace } from "./run-workspace";
import { createProgressReporter, type ProgressReporter } from "./progress-reporter";
import { overallProgress, stages, type StageName } from "./stages";

// What every processing step writes back: the stage and progress on the project row, a
// timeline event when a stage starts and when it has a result worth reading, and — for
// a problem with the video or the plan — the error, before the run stops.

/** At most one progress write per second per run. */
export const PROGRESS_WRITE_INTERVAL_MS = 1000;

export async function enterStage(db: Db, claim: RunClaim, stage: StageName, message = stages[stage].label): Promise<void> {
  const held = await updateRunStateWithEvent(
    db,
    { ...claim, stage, progress: overallProgress(stage, 0) },
    { kind: "stage_started", message, data: { stage } },
  );
  if (!held) throw new RunNoLongerHoldsProject(claim.projectId);
}

export async function completeStage(
  db: Db,
  claim: RunClaim,
  stage: StageName,
  message: string,
  data: Record<string, unknown> = {},
  keys: { playbackKey?: string; thumbnailKey?: string } = {},
): Promise<void> {
  const held = await updateRunStateWithEvent(
    db,
    { ...claim, progress: overallProgress(stage, 1), ...keys },
    { kind: "stage_completed", message, data: { stage, ...data } },
  );
  if (!held) throw new RunNoLongerHoldsProject(claim.projectId);
}

/** Progress within a stage (0–1) reaching the project row at a bounded rate. */
export function stageProgress(db: Db, claim: RunClaim, stage: StageName, now?: () => number): ProgressReporter & { fraction: (f: number) => void } {
  const reporter = createProgressReporter({
    minIntervalMs: PROGRESS_WRITE_INTERVAL_MS,
    startsAt: overallProgress(stage, 0),
    now,
    write: (percent) => updateRunState(db, { ...claim, progress: percent }),
    onError: (error) => log.warn("progress_write_failed", { projectId: claim.projectId, error }),
  });
  return { ...reporter, fraction: (f) => reporter.report(overallProgress(stage, f)) };
}

/**
 * The run's project → error with a timeline event, unless another run holds it by now.
 * Only writes: a caller that gets true sends the status-change events once it is committed
 * (sendStatusChangeEvents), as after every transition.
 */
export async function failRun(
  db: Db,
  claim: RunClaim,
  failure: { code: string; message: string; data?: Record<string, unknown> },
): Promise<boolean> {
  const failed = await failProjectForRun(db, { ...claim, code: failure.code, message: failure.message });
  if (failed) {
    await addTimelineEvent(db, {
      projectId: claim.projectId,
      userId: claim.userId,
      kind: "error",
      message: failure.message,
      data: { code: failure.code, ...failure.data },
    });
  }
  return failed;
}

/**
 * Runs a step's work. A ProcessingError (the video or the plan says no) is written to the
 * project as its error, with a timeline event (unless another run holds the project by
 * now), and ends the run without retries; a run
 * that lost its project ends without retries and without touching it (if the project was
 * deleted, it removes the files it stored meanwhile). Anything else is
 * thrown as is, for Inngest to retry (and onFailure to record once retries run out).
 */
export async function recordingFailures<T>(
  db: Db,
  claim: Omit<RunClaim, "runId"> & { runId?: string },
  stage: StageName,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (thrown) {
    const error = explainUnavailableTool(thrown, { projectId: claim.projectId, stage });
    if (error instanceof ProcessingError || error instanceof RunNoLongerHoldsProject) await removeRunWorkspace(claim);
    if (error instanceof ProcessingError) {
      const failure = { code: error.code, message: error.message, data: { stage, ...error.details } };
      const failed = claim.runId
        ? await failRun(db, { ...claim, runId: claim.runId }, failure)
        : await failProject(db, { projectId: claim.projectId, userId: claim.userId, ...failure });
      if (failed) await sendStatusChangeEvents(claim);
      throw new NonRetriableError(error.message, { cause: error });
    }
    if (error instanceof RunNoLongerHoldsProject) {
      // Deleted while this step ran: what it stored after the project's files were
      // cleaned up must not stay behind. (Held by another run: that run's files, left alone.)
      if (!(await getProcessingProject(db, claim))) await deleteProjectOutputs(claim.userId, claim.projectId);
      throw new NonRetriableError(error.message, { cause: error });
    }
    throw error;
  }
}
