import { notFound } from "@/lib/api/errors";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { deleteProject } from "@/lib/db/queries/projects";
import { listOpenMultipartUploadsOfProject, type OpenMultipartUpload } from "@/lib/db/queries/uploads";
import { eventIds } from "@/lib/jobs/events";
import { deliverOutboxEvent, enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { abortOpenMultipartUploads } from "@/lib/uploads/abort-open-multipart-uploads";

/**
 * Deletes a project now and leaves the rest to `project/deleted`: it cancels a running
 * process-video (cancelOn) and cleanup-project removes the stored files. The event is
 * written in the deleting transaction (the outbox is not the user's to write, hence the
 * server connection with explicit owner filters), so a failed send is resent later.
 */
export async function deleteProjectOrThrow(claims: UserClaims, projectId: string): Promise<void> {
  const userId = claims.sub;
  let openMultipart: OpenMultipartUpload[] = [];
  const event = await db().begin(async (tx) => {
    openMultipart = await listOpenMultipartUploadsOfProject(tx, { userId, projectId });
    const deleted = await deleteProject(tx, { userId, projectId });
    if (!deleted) return null;
    const event: OutboxEvent = {
      name: "project/deleted",
      id: eventIds.deleted(projectId),
      data: { projectId, userId, uploadKeys: deleted.uploadKeys },
    };
    // No project_id on the outbox row: it would be deleted with the project.
    await enqueueEvent(tx, { event, userId });
    return event;
  });
  if (!event) throw notFound("That project");
  // A delete during an upload: storage would keep its parts until its own lifecycle rule.
  await abortOpenMultipartUploads(openMultipart);
  await deliverOutboxEvent(event);
}
