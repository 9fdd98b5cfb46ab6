import type { Db } from "@/lib/db/client";
import {
  forgetDeletedProjectObjects,
  forgetSharedOutputs,
  listDeletedProjectObjects,
  listProjectSharedIds,
} from "@/lib/db/queries/stored-keys";
import { sharedKeys } from "@/lib/storage/keys";
import { deleteOwnedObjects, deleteProjectOutputs } from "@/lib/storage/objects";

/**
 * Removes a deleted project's objects — its originals, its outputs, its shared clips —
 * from what the database recorded when the row went (deleted_project_objects, written by
 * a trigger in the deleting transaction) and from the shared outputs recorded for it. The
 * owner comes from that record, never from the caller: a project id with no record (a live
 * project, someone else's, or one already cleaned) deletes nothing. Returns how many went.
 */
export async function deleteProjectObjects(db: Db, projectId: string): Promise<number> {
  let removed = 0;
  for (const deleted of await listDeletedProjectObjects(db, projectId)) {
    const owner = { userId: deleted.userId, projectId };
    const shared = (await listProjectSharedIds(db, owner)).flatMap((id) => [sharedKeys.clip(id), sharedKeys.thumbnail(id)]);
    removed += await deleteProjectOutputs(deleted.userId, projectId);
    removed += await deleteOwnedObjects(deleted.userId, [...deleted.keys, ...shared], "cleanup of a deleted project");
    // Forgotten only once the objects are gone, so a retry after a storage failure finds them again.
    await forgetSharedOutputs(db, owner);
    await forgetDeletedProjectObjects(db, deleted.id);
  }
  return removed;
}
