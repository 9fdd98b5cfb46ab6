import { NonRetriableError } from "inngest";
import { AppError } from "@/lib/api/errors";
import { formatBytes } from "@/lib/format";
import { getUserPlan } from "@/lib/billing/usage";
import type { Db, Sql } from "@/lib/db/client";
import { getImportProjectState, isImportOf, isWaitingForDownload, updateDownloadProgress } from "@/lib/db/queries/imports";
import { currentRunSignal, RunCancelledError } from "@/lib/jobs/run-cancellation";
import { whileStillWanted } from "@/lib/jobs/while-still-wanted";
import { sendEvent } from "@/lib/jobs/send-event";
import { log } from "@/lib/log";
import { RequestFailedError } from "@/lib/net/guarded-request";
import { deliverOutboxEvent } from "@/lib/outbox/outbox";
import { createProgressReporter } from "@/lib/processing/progress-reporter";
import { failProject } from "@/lib/projects/transitions";
import { deleteOwnedObjects } from "@/lib/storage/objects";
import { queueVerifiedSource } from "@/lib/uploads/queue-verified-source";
import { notAVideoMessage, verifyStoredVideo } from "@/lib/uploads/verify-stored-video";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { downloadSource, importedSourceKey } from "./download-source";

type ImportRef = { projectId: string; userId: string };

/** How often a download checks that its project still waits for it. */
export const IMPORT_PROJECT_CHECK_MS = 5000;

/** Whether the project is still waiting for its download (a duplicate or late run is a no-op). */
export async function checkImportProject(
  db: Db,
  ref: ImportRef & { url: string },
): Promise<{ pending: true } | { pending: false; reason: string }> {
  const project = await getImportProjectState(db, ref);
  if (!project) return { pending: false, reason: "the project no longer exists" };
  if (project.sourceType !== "url") return { pending: false, reason: "the project is not a link import" };
  if (project.status !== "uploading" || project.r2Key) return { pending: false, reason: `the project is already ${project.status}` };
  return { pending: true };
}

/**
 * Records a failure the person must act on (a refused link, a web page, too large, not a
 * video) on the project and stops the run: retrying would fail the same way.
 */
async function failImport(db: Db, ref: ImportRef, code: string, message: string, key?: string): Promise<never> {
  if (key) await deleteOwnedObjects(ref.userId, [key], "refused import").catch(() => {});
  if (await failProject(db, { ...ref, code, message })) await sendStatusChangeEvents(ref);
  throw new NonRetriableError(message);
}

/**
 * Downloads the link into storage; returns where it is and how many bytes arrived.
 *
 * A deleted project stops the download: in embedded mode at once (the run's cancel
 * signal), on Inngest — which cancels a run only between steps — within
 * IMPORT_PROJECT_CHECK_MS, by asking the database. Either way the multipart upload is
 * aborted, and an object completed just before the deletion is removed.
 */
export function downloadImport(db: Db, ref: ImportRef & { url: string }, now: Date): Promise<{ key: string; size: number }> {
  return whileStillWanted(
    () => isWaitingForDownload(db, ref),
    { intervalMs: IMPORT_PROJECT_CHECK_MS, reason: "the project is no longer waiting for this download" },
    () => downloadWhileWanted(db, ref, now, currentRunSignal()),
  );
}

async function downloadWhileWanted(
  db: Db,
  ref: ImportRef & { url: string },
  now: Date,
  signal: AbortSignal | undefined,
): Promise<{ key: string; size: number }> {
  const key = importedSourceKey(ref.userId, ref.projectId, ref.url);
  const { plan } = await getUserPlan(db, ref.userId, now);
  const progress = createProgressReporter({
    minIntervalMs: 1000,
    write: (percent) => updateDownloadProgress(db, { userId: ref.userId, projectId: ref.projectId, progress: Math.min(99, percent) }),
  });
  try {
    const result = await downloadSource({
      url: ref.url,
      key,
      maxBytes: plan.maxUploadBytes,
      signal,
      onProgress: (bytes, total) => {
        if (total) progress.report((bytes / total) * 100);
      },
    });
    await progress.flush();
    if (signal?.aborted || !(await isWaitingForDownload(db, ref))) {
      await deleteOwnedObjects(ref.userId, [key], "import no longer wanted").catch(() => {});
      throw new NonRetriableError("The project stopped waiting for this download (deleted or failed meanwhile); nothing was kept.");
    }
    return { key, size: result.size };
  } catch (error) {
    await progress.flush().catch(() => {});
    if (error instanceof RunCancelledError) throw new NonRetriableError(error.message, { cause: error });
    if (error instanceof AppError) return failImport(db, ref, error.code, error.message);
    if (error instanceof RequestFailedError) throw error; // transient: Inngest retries, onFailure records the last
    throw error;
  }
}

/**
 * The same verification and state change as an upload completion: the object exists with
 * the bytes counted during the download and is a real video container; then the project
 * is queued with a `video/process` outbox row in one transaction, and the event is sent.
 */
export async function verifyAndQueueImport(
  db: Sql,
  ref: ImportRef & { url: string; key: string; size: number },
  deps: { send: typeof sendEvent; now: () => Date } = { send: sendEvent, now: () => new Date() },
): Promise<{ queued: boolean }> {
  const check = await verifyStoredVideo(ref.key, { expectedSize: ref.size });
  if (!check.ok) {
    if (check.problem === "not_a_video") {
      return failImport(db, ref, "not_a_video", notAVideoMessage(check.looksLike), ref.key);
    }
    const problem = { missing: "missing from storage", size_mismatch: "not the size that was downloaded", changed: "replaced while it was checked" }[check.problem];
    throw new Error(`the downloaded file is ${problem}`);
  }
  const event = await db.begin(async (tx) =>
    queueVerifiedSource(tx, {
      projectId: ref.projectId,
      userId: ref.userId,
      key: ref.key,
      verified: { etag: check.etag, size: check.size },
      receivedAt: deps.now(),
      message: `Downloaded ${formatBytes(check.size)} from ${new URL(ref.url).host}. Queued for processing.`,
      data: { url: ref.url, size: check.size, container: check.container },
    }),
  ).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "conflict") return null;
    throw error;
  });
  if (!event) return { queued: false };
  await deliverOutboxEvent(event, deps.send).catch((error: unknown) =>
    log.warn("import_event_delivery_failed", { projectId: ref.projectId, error }),
  );
  return { queued: true };
}

/** onFailure: the retries ran out on a transient problem (network, storage). */
export async function recordImportFailure(
  db: Db,
  ref: ImportRef & { url?: string },
  error: { name?: string; message?: string },
): Promise<void> {
  // The key is built from the event's ids: delete it only when the database agrees that
  // this person's project imports this link, and only under their prefix.
  if (ref.url && (await isImportOf(db, { userId: ref.userId, projectId: ref.projectId, url: ref.url }))) {
    await deleteOwnedObjects(ref.userId, [importedSourceKey(ref.userId, ref.projectId, ref.url)], "failed import").catch(() => {});
  }
  const failed = await failProject(db, {
    ...ref,
    code: "download_failed",
    // A stall's message already says what happened and what to do.
    message:
      error.name === "DownloadStalledError" && error.message
        ? error.message
        : `The link could not be downloaded: ${error.message ?? "unknown error"}. Check that it works in a browser, then retry.`,
  });
  if (failed) await sendStatusChangeEvents(ref);
}
