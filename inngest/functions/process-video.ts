import { inngestClient } from "@/lib/jobs/client";
import { processVideo, projectDeleted } from "@/lib/jobs/events";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { checkSource } from "@/lib/processing/check-source";
import { checkUsage } from "@/lib/processing/check-usage";
import { deleteOriginal, finalizeProject } from "@/lib/processing/finalize-project";
import { makeThumbnailAndClips } from "@/lib/processing/make-thumbnail-and-clips";
import { makeWebMp4 } from "@/lib/processing/make-web-mp4";
import { probeSource } from "@/lib/processing/probe-source";
import { recordUnexpectedFailure } from "@/lib/processing/record-failure";
import { selectClips } from "@/lib/processing/select-clips";
import { whileRunHoldsProject } from "@/lib/processing/while-run-holds-project";

type Retries = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20;

// A verified upload (or downloaded link) → web MP4, thumbnail, highlight clips, `ready`.
// Each step writes its stage, progress and a timeline event to the project; a problem
// with the video or the plan ends the run at once with the reason on the project, and
// anything unforeseen is retried and, when retries run out, recorded by onFailure — so
// every run ends in `ready` or in `error` with a reason, never in limbo.
export function processVideoFunction() {
  const settings = env();
  return inngestClient().createFunction(
    {
      id: "process-video",
      name: "Process a video: web MP4, thumbnail, clips",
      triggers: [processVideo],
      // Transcoding is CPU-bound: a few at a time overall, and one person's batch of
      // uploads cannot take every slot.
      concurrency: [
        { key: "event.data.userId", limit: settings.PROCESSING_CONCURRENCY_PER_USER },
        { limit: settings.PROCESSING_CONCURRENCY },
      ],
      retries: settings.PROCESSING_RETRIES as Retries,
      cancelOn: [{ event: projectDeleted, match: "data.projectId" }],
      onFailure: async ({ event, error }) => {
        const { projectId, userId } = event.data.event.data;
        await recordUnexpectedFailure(db(), { projectId, userId, runId: event.data.run_id, error });
      },
    },
    async ({ event, step, runId }) => {
      const { projectId, userId } = event.data;

      const source = await step.run("check-source", () => checkSource(db(), { projectId, userId, runId }));
      if (!source.proceed) return { status: "skipped", reason: source.reason };
      // The run id as memoised by the first step: every later write is conditional on it.
      const claim = { projectId, userId, runId: source.runId };
      // Every read of the source is of the object completion verified (its ETag and size).
      const verifiedSource = { key: source.sourceKey, etag: source.sourceEtag, size: source.sourceSize };

      const usage = await step.run("check-usage", () => checkUsage(db(), claim, new Date()));

      const media = await step.run("probe-media", () =>
        probeSource(db(), claim, { source: verifiedSource, maxDurationSeconds: usage.maxDurationSeconds, planName: usage.planName }),
      );

      // The long media steps stop their ffmpeg once the project is deleted, mid-step too.
      const webMp4 = await step.run("make-web-mp4", () =>
        whileRunHoldsProject(db(), claim, () =>
          makeWebMp4(db(), claim, { source: verifiedSource, media, maxDurationSeconds: usage.maxDurationSeconds, planName: usage.planName }),
        ),
      );

      const clips = await step.run("select-clips", () =>
        selectClips(db(), claim, { durationSeconds: webMp4.durationSeconds, analysis: webMp4.analysis, count: env().CLIP_COUNT }),
      );
      await step.run("make-thumbnail-and-clips", () =>
        whileRunHoldsProject(db(), claim, () =>
          makeThumbnailAndClips(db(), claim, {
            playbackKey: webMp4.key,
            durationSeconds: webMp4.durationSeconds,
            keyframes: webMp4.analysis.keyframes,
            clips,
          }),
        ),
      );

      await step.run("finalize", () =>
        finalizeProject(db(), claim, { clips, method: webMp4.method, now: new Date() }),
      );

      if (env().DELETE_ORIGINAL_AFTER_PROCESSING) {
        await step.run("delete-original", () => deleteOriginal(db(), { projectId, userId, sourceKey: source.sourceKey }));
      }
      return { status: "ready", method: webMp4.method, clips: clips.length };
    },
  );
}
