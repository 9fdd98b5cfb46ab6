import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

// Four tiers. `unit` needs nothing; `integration` gets real Postgres, S3-protocol storage
// and ffmpeg from its global setup; `browser` builds and starts the app and drives
// Debian's Chromium; `faults` runs the stack as real processes and kills them (SIGKILL)
// at chosen points. `npm test` runs all of them (cli/test.ts).
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/integration-global-setup.ts"],
          setupFiles: ["tests/support/integration-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The suites share one database and one bucket; files run in parallel workers
          // and isolate themselves with their own users.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "browser",
          sequence: { groupOrder: 2 },
          include: ["tests/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/support/browser-global-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "faults",
          sequence: { groupOrder: 3 },
          include: ["tests/faults/**/*.test.ts"],
          environment: "node",
          // Each file starts its own Postgres, storage and app processes and kills them.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
