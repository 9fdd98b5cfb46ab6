import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { embeddedRunHeld, sendEvent, sendEvents } from "@/lib/jobs/send-event";
import { log } from "@/lib/log";
import { cleanOrphans } from "./clean-orphans";
import { completeFinishedUploads } from "./complete-finished-uploads";
import { expireAbandonedUploads } from "./expire-abandoned-uploads";
import { recoverStalledProcessing } from "./recover-stalled-processing";
import { redriveQueuedProjects } from "./redrive-queued-projects";
import { redriveStalledImports } from "./redrive-stalled-imports";
import { resendUnsentEvents } from "./resend-unsent-events";
import type { ReconcileDeps, ReconcileSettings } from "./types";

export function reconcileSettings(options: { interruptedBefore?: Date } = {}): ReconcileSettings {
  const e = env();
  return {
    idleUploadMs: 60_000,
    outboxResendAfterMs: 60_000,
    stallMs: e.RECONCILE_STALL_MINUTES * 60_000,
    waitingMs: e.RECONCILE_STALL_MINUTES * 60_000,
    orphanGraceMs: e.RECONCILE_ORPHAN_GRACE_HOURS * 3_600_000,
    batchSize: 500,
    interruptedBefore: options.interruptedBefore,
  };
}

export const defaultReconcileDeps: ReconcileDeps = { now: () => new Date(), send: sendEvent, sendEvents, runHeld: embeddedRunHeld };

export type ReconcileCounts = {
  uploadsCompleted: number;
  completionClaimsRecovered: number;
  uploadsExpired: number;
  queuedRedriven: number;
  queuedFailed: number;
  importsRedriven: number;
  importsFailed: number;
  eventsResent: number;
  stalledRetried: number;
  stalledFailed: number;
  orphanObjectsFound: number;
  orphanObjectsRemoved: number;
  orphanMultipartFound: number;
  orphanMultipartRemoved: number;
  multipartListingSupported: boolean;
};

type Parts = {
  completed: Awaited<ReturnType<typeof completeFinishedUploads>>;
  expired: Awaited<ReturnType<typeof expireAbandonedUploads>>;
  queued: Awaited<ReturnType<typeof redriveQueuedProjects>>;
  imports: Awaited<ReturnType<typeof redriveStalledImports>>;
  resent: Awaited<ReturnType<typeof resendUnsentEvents>>;
  stalled: Awaited<ReturnType<typeof recoverStalledProcessing>>;
  orphans: Awaited<ReturnType<typeof cleanOrphans>>;
};

/** Runs one named part of a pass: at once, or as a step of the `reconcile` Inngest function. */
export type RunPart = <T>(name: string, part: () => Promise<T>) => Promise<T>;

const runAtOnce: RunPart = (_name, part) => part();

/**
 * One pass of every repair, in the order that lets each build on the last: finish uploads
 * whose bytes arrived (and claims whose holder died) before expiring the rest; re-drive
 * queued projects and imports whose event was handed over before resending the ones never
 * sent (so one project is not sent twice in a pass); judge stalls last. `npm run reconcile`
 * runs it at once; the `reconcile` Inngest function runs each part as a named step.
 */
export async function runReconcile(
  settings: ReconcileSettings = reconcileSettings(),
  deps: ReconcileDeps = defaultReconcileDeps,
  runPart: RunPart = runAtOnce,
): Promise<ReconcileCounts> {
  const completed = await runPart("complete-finished-uploads", () => completeFinishedUploads(db(), settings, deps));
  const expired = await runPart("expire-abandoned-uploads", () => expireAbandonedUploads(db(), settings, deps));
  const queued = await runPart("redrive-queued-projects", () => redriveQueuedProjects(db(), settings, deps));
  const imports = await runPart("redrive-stalled-imports", () => redriveStalledImports(db(), settings, deps));
  const resent = await runPart("resend-unsent-events", () => resendUnsentEvents(db(), settings, deps));
  const stalled = await runPart("recover-stalled-processing", () => recoverStalledProcessing(db(), settings, deps));
  const orphans = await runPart("clean-orphans", () => cleanOrphans(db(), settings, deps));
  const counts = summarize({ completed, expired, queued, imports, resent, stalled, orphans });
  log.info("reconcile_finished", counts);
  return counts;
}

function summarize(parts: Parts): ReconcileCounts {
  return {
    uploadsCompleted: parts.completed.completed + parts.expired.completed,
    completionClaimsRecovered: parts.completed.claimsRecovered,
    uploadsExpired: parts.expired.expired,
    queuedRedriven: parts.queued.redriven,
    queuedFailed: parts.queued.failed,
    importsRedriven: parts.imports.redriven,
    importsFailed: parts.imports.failed,
    eventsResent: parts.resent.resent,
    stalledRetried: parts.stalled.retried,
    stalledFailed: parts.stalled.failed,
    orphanObjectsFound: parts.orphans.objects.found,
    orphanObjectsRemoved: parts.orphans.objects.removed,
    orphanMultipartFound: parts.orphans.multipartUploads.found,
    orphanMultipartRemoved: parts.orphans.multipartUploads.removed,
    multipartListingSupported: parts.orphans.multipartUploads.listingSupported,
  };
}
