import { inngestClient } from "@/lib/jobs/client";
import { importUrl, projectDeleted } from "@/lib/jobs/events";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { checkImportProject, downloadImport, recordImportFailure, verifyAndQueueImport } from "@/lib/imports/import-source";

// A pasted link → the video in storage → the same verified, queued state an upload
// completion reaches, then process-video takes over. A refusal (a private address, a web
// page, too large, not a video) ends the run at once with the reason on the project;
// network trouble is retried, and onFailure records the last error.
export function importUrlFunction() {
  const settings = env();
  return inngestClient().createFunction(
    {
      id: "import-url",
      name: "Import a video from a link",
      triggers: [importUrl],
      concurrency: [{ key: "event.data.userId", limit: settings.PROCESSING_CONCURRENCY_PER_USER }, { limit: settings.PROCESSING_CONCURRENCY }],
      retries: 2,
      cancelOn: [{ event: projectDeleted, match: "data.projectId" }],
      onFailure: async ({ event, error }) => {
        const { projectId, userId, url } = event.data.event.data;
        await recordImportFailure(db(), { projectId, userId, url }, error);
      },
    },
    async ({ event, step }) => {
      const { projectId, userId, url } = event.data;

      const project = await step.run("check-project", () => checkImportProject(db(), { projectId, userId, url }));
      if (!project.pending) return { status: "skipped", reason: project.reason };

      const stored = await step.run("download-to-storage", () => downloadImport(db(), { projectId, userId, url }, new Date()));

      const queued = await step.run("verify-and-queue", () =>
        verifyAndQueueImport(db(), { projectId, userId, url, key: stored.key, size: stored.size }),
      );
      return { status: queued.queued ? "queued" : "skipped", size: stored.size };
    },
  );
}
