import { env, EnvError } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * What the Next.js server does once when it starts (instrumentation.ts, which registers the
 * job functions first). It parses the settings first: a missing or unsafe one (lib/env.ts)
 * stops the start here, naming it, instead of the server answering requests in a less safe
 * mode.
 */
export async function onServerStart(): Promise<void> {
  let settings;
  try {
    settings = env();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`\nClipCrafter refused to start. ${error.message}\n`);
    process.exit(1);
  }
  log.info("server_start", { authMode: settings.authMode, jobsMode: settings.inngestMode, billing: settings.billingEnabled });

  // In embedded job mode nothing else triggers cron functions (the reconciler), so the
  // server schedules them itself.
  if (settings.inngestMode !== "embedded") return;
  const [{ embeddedRunner }, { startEmbeddedCron }, { EmbeddedRegistrationError }] = await Promise.all([
    import("@/lib/jobs/send-event"),
    import("@/lib/jobs/embedded-cron"),
    import("@/lib/jobs/embedded-registration"),
  ]);
  // A function using an option the embedded runner cannot honour stops the start, naming
  // it, rather than running differently from Inngest.
  let runner;
  try {
    runner = await embeddedRunner();
  } catch (error) {
    if (!(error instanceof EmbeddedRegistrationError)) throw error;
    console.error(`\nClipCrafter refused to start. ${error.message}\n`);
    process.exit(1);
  }
  startEmbeddedCron(runner);
}
