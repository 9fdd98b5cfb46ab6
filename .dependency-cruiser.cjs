// Dependencies point one way: app/ and cli/ → inngest/ → lib/. `npm run lint` runs this after eslint.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: modules in it can only be read, loaded and changed together. Break it (hand a value in instead of importing it back).",
      from: {},
      to: { circular: true },
    },
    {
      name: "lib-not-to-inngest",
      severity: "error",
      comment:
        "lib/ never imports inngest/: the client and the typed events live in lib/jobs/, and the function list is handed over at start-up (registerJobFunctions in lib/jobs/job-functions.ts) by instrumentation.ts, cli/ and the tests.",
      from: { path: "^lib/" },
      to: { path: "^inngest/" },
    },
    {
      name: "lib-not-to-app",
      severity: "error",
      comment: "lib/ never imports app/: routes and pages call lib/, not the other way round.",
      from: { path: "^lib/" },
      to: { path: "^app/" },
    },
    {
      name: "cli-not-imported",
      severity: "error",
      comment: "cli/*.ts are the npm commands' entry points (run by cli/run.mjs), each the start-up of its own process, as instrumentation.ts is for the server: nothing imports them.",
      from: { pathNot: "^cli/" },
      to: { path: "^cli/" },
    },
  ],
  options: {
    exclude: { path: "^(node_modules|\\.git|\\.next|\\.clipcrafter|test-results|bench-results)/" },
    // Type-only imports count: a cycle through types still ties the modules together.
    tsPreCompilationDeps: true,
    // Resolves the `@/` path alias (see that file for why it is not tsconfig.json itself).
    tsConfig: { fileName: "tsconfig.dependency-cruiser.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
