import type { Sql } from "@/lib/db/client";
import { markProjectRedriven } from "@/lib/db/queries/projects";
import { listUntakenJobs, type WaitingCandidate } from "@/lib/db/queries/reconcile";
import { log } from "@/lib/log";
import { deliverOutboxEvent, enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { failProject } from "@/lib/projects/transitions";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { abandonedBefore, type ReconcileDeps, type ReconcileSettings } from "./types";

// A re-drive sends a project's job again when the run that should be doing it ended,
// vanished with a crashed process, or never started. Inngest (and the embedded runner)
// drop an event whose id they saw in the last 24 h, so each re-drive gets its own id
// from the project's `redrives` count; the project's claim (check-source, import's
// check-project) keeps it to one run whatever else is still delivered.

export type Waiting = "processing" | "queued" | "importing";

export type WaitingProject = Omit<WaitingCandidate, "lastTouchedAt">;

/** The event id of a project's n-th automatic re-drive. */
export function redriveEventId(kind: "process" | "import", projectId: string, redrive: number): string {
  return `${kind}-${projectId}-redrive-${redrive}`;
}

/**
 * In one transaction: puts the project back where a new run picks it up (a stalled
 * `processing` run's claim is released; `queued` and an import's `uploading` stay),
 * counts the automatic restart, notes it on the timeline and writes the event to the
 * outbox; then sends it. Conditional on the project still waiting as it was seen
 * (`lastTouchedBefore`), so a run that moved meanwhile is left alone. Returns false when
 * it did not win.
 */
export async function redriveProject(
  sql: Sql,
  project: WaitingProject,
  params: { waiting: Waiting; lastTouchedBefore: Date; message: string; reason: string },
  deps: Pick<ReconcileDeps, "send">,
): Promise<boolean> {
  const ref = { projectId: project.id, userId: project.userId };
  const event = await sql.begin(async (tx): Promise<OutboxEvent | null> => {
    const redrive = await markProjectRedriven(tx, {
      ...ref,
      status: params.waiting === "importing" ? "uploading" : params.waiting,
      lastTouchedBefore: params.lastTouchedBefore,
    });
    if (redrive === null) return null;
    await addTimelineEvent(tx, {
      ...ref,
      kind: "reconciled",
      message: params.message,
      data: { action: "redrive", reason: params.reason, waiting: params.waiting, stage: project.stage, redrive },
    });
    const event: OutboxEvent =
      params.waiting === "importing"
        ? { name: "video/import", id: redriveEventId("import", ref.projectId, redrive), data: { ...ref, url: project.sourceUrl! } }
        : { name: "video/process", id: redriveEventId("process", ref.projectId, redrive), data: ref };
    await enqueueEvent(tx, { event, ...ref });
    return event;
  });
  if (!event) return false;
  await deliverOutboxEvent(event, deps.send);
  log.warn("reconcile_project_redriven", { ...ref, waiting: params.waiting, reason: params.reason, eventId: event.id });
  return true;
}

/** When re-driving did not help: the project ends in `error` with a reason and the Retry button. */
export async function failWaitingProject(
  sql: Sql,
  project: WaitingProject,
  params: { code: string; message: string; waiting: Waiting },
): Promise<boolean> {
  const won = await failProject(sql, {
    projectId: project.id,
    userId: project.userId,
    code: params.code,
    message: params.message,
    data: { stage: project.stage, waiting: params.waiting, automaticRestarts: project.stallRetries },
  });
  if (won) {
    await sendStatusChangeEvents({ projectId: project.id, userId: project.userId });
    log.error("reconcile_project_failed", { projectId: project.id, waiting: params.waiting, code: params.code });
  }
  return won;
}

/**
 * How one kind of waiting project is revisited: which rows wait too long, what a person
 * reads on the timeline when the job is sent again, and — when restarts did not help, as
 * counted by `stall_retries` since the person last started it — the error it ends in.
 */
export type WaitingSpec = {
  waiting: Waiting;
  list: (sql: Sql, lastTouchedBefore: Date, limit: number) => Promise<WaitingCandidate[]>;
  /** Automatic restarts allowed before failing: after a stall, and after a restart of the process. */
  maxRestarts: { stalled: number; interrupted: number };
  redriveMessage: (project: WaitingCandidate, cause: "stalled" | "interrupted") => string;
  failure: { code: string; message: (cause: "stalled" | "interrupted") => string };
};

export async function redriveWaiting(
  sql: Sql,
  spec: WaitingSpec,
  params: { lastTouchedBefore: Date; interruptedBefore?: Date; limit: number; held: (project: WaitingCandidate) => boolean },
  deps: Pick<ReconcileDeps, "send">,
): Promise<{ redriven: number; failed: number }> {
  const candidates = await spec.list(sql, params.lastTouchedBefore, params.limit);
  let redriven = 0;
  let failed = 0;
  for (const project of candidates) {
    if (params.held(project)) continue;
    const cause = params.interruptedBefore && project.lastTouchedAt < params.interruptedBefore ? "interrupted" : "stalled";
    if (project.stallRetries >= spec.maxRestarts[cause]) {
      if (await failWaitingProject(sql, project, { code: spec.failure.code, message: spec.failure.message(cause), waiting: spec.waiting })) failed++;
      continue;
    }
    const won = await redriveProject(
      sql,
      project,
      { waiting: spec.waiting, lastTouchedBefore: params.lastTouchedBefore, message: spec.redriveMessage(project, cause), reason: cause },
      deps,
    );
    if (won) redriven++;
  }
  return { redriven, failed };
}

/**
 * A job handed to the runner that no run has taken: a `queued` project waits for
 * `video/process`, a link import (`uploading`, nothing stored yet) for `video/import`.
 * One whose event is still unsent is the outbox's to resend, not a re-drive's.
 */
export type UntakenJobSpec = Omit<WaitingSpec, "list" | "waiting"> & { waiting: keyof typeof untakenEvent };

const untakenEvent = { queued: "video/process", importing: "video/import" } as const;

function listUntaken(waiting: UntakenJobSpec["waiting"]): WaitingSpec["list"] {
  return (sql, before, limit) => listUntakenJobs(sql, { waiting, eventName: untakenEvent[waiting], before, limit });
}

/**
 * Sends an untaken job again once it has waited the waiting bound (or, right after an
 * embedded-mode restart, at once), with a new event id; one this process's runner holds
 * (waiting for a slot) is left alone. When restarts did not help, the project fails.
 */
export function redriveUntakenJobs(spec: UntakenJobSpec) {
  const waitingSpec: WaitingSpec = { ...spec, list: listUntaken(spec.waiting) };
  return (sql: Sql, settings: ReconcileSettings, deps: ReconcileDeps): Promise<{ redriven: number; failed: number }> =>
    redriveWaiting(
      sql,
      waitingSpec,
      {
        lastTouchedBefore: abandonedBefore(settings, deps.now(), settings.waitingMs),
        interruptedBefore: settings.interruptedBefore,
        limit: settings.batchSize,
        held: (project) => deps.runHeld(untakenEvent[spec.waiting], { projectId: project.id }),
      },
      deps,
    );
}
