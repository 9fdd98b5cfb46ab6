import type { Db, Sql } from "@/lib/db/client";
import { sendStatusChangeEvents } from "@/lib/webhooks/send-status-change-events";
import { deleteClipsFrom, getProcessingProject, markProjectReady, recordUsage, type RunClaim } from "@/lib/db/queries/processing";
import { forgetSharedOutputs, listProjectSharedIdsFrom } from "@/lib/db/queries/stored-keys";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { sharedKeys } from "@/lib/storage/keys";
import { deleteOwnedObjects } from "@/lib/storage/objects";
import { RunNoLongerHoldsProject } from "./processing-error";
import { removeRunWorkspace } from "./run-workspace";
import type { ClipWindow } from "./choose-clips";
import { completeStage, enterStage, recordingFailures } from "./run-state";

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
const clipSpan = (clip: ClipWindow) => `${clock(clip.startSeconds)}–${clock(clip.endSeconds)}`;

export type Finalized = { ready: boolean; usageCounted: boolean };

/**
 * processing → ready, in one transaction with the usage row: the project is counted
 * exactly when it becomes ready, once (project_id is unique in usage_events). A retried
 * finalize after a lost response finds the project already ready by this run and
 * succeeds without counting again.
 */
export async function finalizeProject(
  db: Sql,
  claim: RunClaim,
  params: { clips: ClipWindow[]; method: "remux" | "transcode"; now: Date },
): Promise<Finalized> {
  return recordingFailures(db, claim, "finalize", async () => {
    const current = await getProcessingProject(db, claim);
    if (current?.status === "ready" && current.processingRunId === claim.runId) {
      await removeStaleSharedClips(db, claim, params.clips.length);
      return { ready: true, usageCounted: false };
    }
    if (params.clips.length > 0) {
      await completeStage(db, claim, "clips", `Highlight clips (loudest moments, cut at scene boundaries): ${params.clips.map(clipSpan).join(", ")}.`, {
        clips: params.clips,
      });
    }
    await enterStage(db, claim, "finalize");
    const finalized = await db.begin(async (tx): Promise<Finalized> => {
      await deleteClipsFrom(tx, { projectId: claim.projectId, userId: claim.userId, position: params.clips.length + 1 });
      if (!(await markProjectReady(tx, claim))) throw new RunNoLongerHoldsProject(claim.projectId);
      const usageCounted = await recordUsage(tx, { projectId: claim.projectId, userId: claim.userId, at: params.now });
      const clips = params.clips.length === 1 ? "1 highlight clip" : `${params.clips.length} highlight clips`;
      await addTimelineEvent(tx, {
        projectId: claim.projectId,
        userId: claim.userId,
        kind: "ready",
        message: `Ready: web MP4 (${params.method === "remux" ? "remuxed" : "transcoded"}), thumbnail and ${clips}.`,
        data: { clipCount: params.clips.length, method: params.method, usageCounted },
      });
      return { ready: true, usageCounted };
    });
    // The transition wrote its webhook notification in the transaction; send it now.
    await sendStatusChangeEvents(claim);
    await removeRunWorkspace(claim);
    await removeStaleSharedClips(db, claim, params.clips.length);
    return finalized;
  });
}

/**
 * The shared files of clips an earlier run made beyond this run's (their rows went with the
 * transition to ready). Only once the project is ready by this run, so no later run's files
 * are touched; files first, then their ids, so a retry after a storage failure finds them.
 */
async function removeStaleSharedClips(db: Db, claim: RunClaim, clipCount: number): Promise<void> {
  const beyond = { projectId: claim.projectId, userId: claim.userId, fromPosition: clipCount + 1 };
  const ids = await listProjectSharedIdsFrom(db, beyond);
  if (ids.length === 0) return;
  await deleteOwnedObjects(claim.userId, ids.flatMap((id) => [sharedKeys.clip(id), sharedKeys.thumbnail(id)]), "clips beyond this run's");
  await forgetSharedOutputs(db, beyond);
}

/** With DELETE_ORIGINAL_AFTER_PROCESSING: the upload is removed once the web MP4 exists. */
export async function deleteOriginal(db: Db, params: { projectId: string; userId: string; sourceKey: string }): Promise<void> {
  await deleteOwnedObjects(params.userId, [params.sourceKey], "original removed after processing");
  await addTimelineEvent(db, {
    projectId: params.projectId,
    userId: params.userId,
    kind: "stage_completed",
    message: "The original upload was removed (the web MP4 replaces it).",
    data: { stage: "delete_original" },
  });
}
