import { jobsEnv } from "@/lib/env";

// Runs once when the Next.js server starts. In embedded job mode nothing else triggers
// cron functions (the reconciler), so the server schedules them itself.
export async function register(): Promise<void> {
  if (jobsEnv().nextRuntime !== "nodejs" || jobsEnv().inngestMode !== "embedded") return;
  const [{ functions }, { embeddedRunner }, { startEmbeddedCron }] = await Promise.all([
    import("@/inngest"),
    import("@/lib/jobs/send-event"),
    import("@/lib/jobs/embedded-cron"),
  ]);
  startEmbeddedCron(await embeddedRunner(), functions);
}
