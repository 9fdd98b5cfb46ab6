import { afterAll, inject } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { closeDb } from "@/lib/db/client";
import { registerJobFunctions } from "@/lib/jobs/job-functions";

// Runs in each test worker before the test file is imported.
setEnvForProcess(inject("serviceEnv"));
// As instrumentation.ts does for the server. Loaded when a test first needs a runner, so
// the functions see the test file's module mocks.
registerJobFunctions(async () => (await import("@/inngest")).jobFunctions());

afterAll(async () => {
  await closeDb();
});
