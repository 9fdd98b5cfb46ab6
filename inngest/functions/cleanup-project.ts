import { inngest } from "@/inngest/client";
import { projectDeleted } from "@/inngest/events";
import { removeRunWorkspace } from "@/lib/processing/run-workspace";
import { deleteProjectObjects } from "@/lib/projects/delete-project-objects";

// Runs after a project row is deleted: removes everything it stored. Kept out of the
// request so a large project never makes DELETE slow, and retried if storage is down.
export const cleanupProject = inngest.createFunction(
  { id: "cleanup-project", name: "Remove a deleted project's files", triggers: [projectDeleted], retries: 5 },
  async ({ event, step }) => {
    const removed = await step.run("delete-stored-objects", () =>
      deleteProjectObjects({
        userId: event.data.userId,
        projectId: event.data.projectId,
        uploadKeys: event.data.uploadKeys,
      }),
    );
    // A run cancelled by the deletion leaves its local copies on the machine it ran on.
    await step.run("remove-local-copies", () => removeRunWorkspace({ projectId: event.data.projectId }));
    return { removed };
  },
);
