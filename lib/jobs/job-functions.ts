import type { InngestFunction } from "inngest";

// The Inngest functions this process runs in embedded mode. They are defined in inngest/,
// which imports lib/; so lib/ does not import them back: whoever starts a process that runs
// jobs (instrumentation.ts for the server, the reconcile command, the test setup) registers
// how to load inngest/index.ts's list, and the embedded runner loads it when it is built.
// Loaded then, not when registered, so registering costs nothing in a process that never
// runs a job, and a test's module mocks are in place before the functions are imported.
//
// Kept on globalThis, as the embedded runner is: Next.js bundles instrumentation.ts and the
// route handlers separately, each with its own copy of this module.

type LoadJobFunctions = () => Promise<readonly InngestFunction.Any[]>;

const globalForJobs = globalThis as unknown as { clipcrafterLoadJobFunctions?: LoadJobFunctions };

export function registerJobFunctions(load: LoadJobFunctions): void {
  globalForJobs.clipcrafterLoadJobFunctions = load;
}

/** The registered functions; rejects when the process's start-up registered none. */
export async function loadJobFunctions(): Promise<InngestFunction.Any[]> {
  const load = globalForJobs.clipcrafterLoadJobFunctions;
  if (!load) {
    throw new Error(
      "No job functions are registered in this process: its start-up must hand inngest/index.ts's list to registerJobFunctions (lib/jobs/job-functions.ts) before a job runs.",
    );
  }
  return [...(await load())];
}
