import { inngestClient } from "@/lib/jobs/client";
import { projectDeleted } from "@/lib/jobs/events";
import { db } from "@/lib/db/client";
import { removeRunWorkspace } from "@/lib/processing/run-workspace";
import { deleteProjectObjects } from "@/lib/projects/delete-project-objects";

// Runs after a project row is deleted: removes everything it stored. Kept out of the
// request so a large project never makes DELETE slow, and retried if storage is down.
export function cleanupProjectFunction() {
  return inngestClient().createFunction(
    { id: "cleanup-project", name: "Remove a deleted project's files", triggers: [projectDeleted], retries: 5 },
    async ({ event, step }) => {
      // The keys and their owner come from what the database recorded at deletion; the
      // payload only says which project to look up (any keys it carries are not read).
      const removed = await step.run("delete-stored-objects", () => deleteProjectObjects(db(), event.data.projectId));
      // A run cancelled by the deletion leaves its local copies on the machine it ran on.
      await step.run("remove-local-copies", () => removeRunWorkspace({ projectId: event.data.projectId }));
      return { removed };
    },
  );
}
