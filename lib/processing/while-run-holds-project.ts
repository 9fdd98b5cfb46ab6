import type { Db } from "@/lib/db/client";
import { getProcessingProject, type RunClaim } from "@/lib/db/queries/processing";
import { whileStillWanted } from "@/lib/jobs/while-still-wanted";

/** How often a media step asks whether its run still holds the project. */
export const HOLD_CHECK_INTERVAL_MS = 5000;

/**
 * Runs a media step so that its ffmpeg is killed once the run no longer holds the project
 * (deleted, or taken over by another run): at once in embedded mode, within
 * HOLD_CHECK_INTERVAL_MS on Inngest, where a step in progress is not interrupted.
 */
export function whileRunHoldsProject<T>(db: Db, claim: RunClaim, work: () => Promise<T>): Promise<T> {
  return whileStillWanted(
    async () => (await getProcessingProject(db, claim))?.processingRunId === claim.runId,
    { intervalMs: HOLD_CHECK_INTERVAL_MS, reason: "the run no longer holds its project" },
    work,
  );
}
