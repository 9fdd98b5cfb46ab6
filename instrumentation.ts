// Runs once when the Next.js server starts. Next.js also bundles this file for the Edge
// runtime; the NEXT_RUNTIME test in exactly this form (Next.js's documented one) lets the
// bundler leave the Node-only start-up out of that bundle.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ registerJobFunctions }, { onServerStart }] = await Promise.all([
      import("./lib/jobs/job-functions"),
      import("./lib/start/on-server-start"),
    ]);
    // lib/ does not import inngest/ (inngest/ imports lib/): the list is handed over here.
    registerJobFunctions(async () => (await import("./inngest")).jobFunctions());
    await onServerStart();
  }
}
