import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const processEnvMessage =
  "Read settings through lib/env.ts (env(); envSource() to build a child process's environment), the one place that reads process.env.";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".clipcrafter/**", "test-results/**", "bench-results/**", "next-env.d.ts"]),
  {
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: processEnvMessage }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["lib/env.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Next.js tells the runtimes apart only through this literal (read at build time).
    files: ["instrumentation.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
]);
