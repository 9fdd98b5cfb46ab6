import { afterAll, inject } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { closeDb } from "@/lib/db/client";

// Runs in each test worker before the test file is imported.
setEnvForProcess(inject("serviceEnv"));

afterAll(async () => {
  await closeDb();
});
