import { redriveUntakenJobs } from "./redrive";

export const NEVER_STARTED_MESSAGE =
  "Processing never started: the job was sent again twice and no worker picked it up. Press Retry to try again.";

/**
 * (d′) A `queued` project no run has taken. Its event was handed to the job runner, so it
 * waits on a run that should come; in embedded mode a crash loses the run, and a run that
 * failed before claiming the project leaves it queued too. After two re-drives that did
 * not help, the project fails visibly.
 */
export const redriveQueuedProjects = redriveUntakenJobs({
  waiting: "queued",
  maxRestarts: { stalled: 2, interrupted: 3 },
  redriveMessage: (_project, cause) =>
    cause === "interrupted"
      ? "The server stopped before processing started; the job was sent again."
      : "Processing had not started for too long; the job was sent again.",
  failure: { code: "processing_not_started", message: () => NEVER_STARTED_MESSAGE },
});
