// Runs once when the Next.js server starts. Next.js also bundles this file for the Edge
// runtime; the NEXT_RUNTIME test in exactly this form (Next.js's documented one) lets the
// bundler leave the Node-only start-up out of that bundle.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("./lib/start/on-server-start");
    await onServerStart();
  }
}
