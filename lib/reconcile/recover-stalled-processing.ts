import type { Sql } from "@/lib/db/client";
import { listStalledProcessing } from "@/lib/db/queries/reconcile";
import { redriveWaiting, type WaitingSpec } from "./redrive";
import { abandonedBefore, type ReconcileDeps, type ReconcileSettings } from "./types";

export const STALLED_MESSAGE =
  "Processing stopped making progress and was stopped after one automatic retry. Press Retry to try again; if it stalls again, the video may be damaged.";

export const INTERRUPTED_MESSAGE =
  "Processing was interrupted by a restart of the server several times in a row and was stopped. Press Retry; if it happens again, the video may be what stops the server.";

const processingSpec: WaitingSpec = {
  waiting: "processing",
  list: listStalledProcessing,
  maxRestarts: { stalled: 1, interrupted: 3 },
  redriveMessage: (project, cause) =>
    cause === "interrupted"
      ? `Processing was interrupted${project.stage ? ` during ${project.stage}` : ""} when the server stopped; it was restarted automatically.`
      : `Processing made no progress${project.stage ? ` during ${project.stage}` : ""} for too long; it was restarted once automatically.`,
  failure: { code: "processing_stalled", message: (cause) => (cause === "interrupted" ? INTERRUPTED_MESSAGE : STALLED_MESSAGE) },
};

/**
 * (d) A `processing` project whose progress has not moved for the stall bound (or, right
 * after an embedded-mode restart, whose run died with the previous process): its run's
 * claim is released and `video/process` is sent again with a new event id (a new run
 * takes over; the old run's writes are conditional on its own run id and stop counting).
 * When that already happened (once for a stall, three times for restarts) the project
 * fails with a message that says what happened.
 */
export async function recoverStalledProcessing(
  sql: Sql,
  settings: ReconcileSettings,
  deps: ReconcileDeps,
): Promise<{ retried: number; failed: number }> {
  const { redriven, failed } = await redriveWaiting(
    sql,
    processingSpec,
    {
      lastTouchedBefore: abandonedBefore(settings, deps.now(), settings.stallMs),
      interruptedBefore: settings.interruptedBefore,
      limit: settings.batchSize,
      // A run of this process that stopped moving is as stuck as a vanished one.
      held: () => false,
    },
    deps,
  );
  return { retried: redriven, failed };
}
