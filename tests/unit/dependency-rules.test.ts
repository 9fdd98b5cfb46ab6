import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cruise, type ICruiseResult, type IForbiddenRuleType } from "dependency-cruiser";

// `npm run lint` runs dependency-cruiser over the tree with .dependency-cruiser.cjs. Here the
// same rules run over a small tree made to break each of them, so a rule that stops biting
// (a typo in a path, a rule dropped) fails a test rather than passing silently.

const { forbidden } = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as { forbidden: IForbiddenRuleType[] };

const files: Record<string, string> = {
  "inngest/index.ts": `export const functions = [];\n`,
  "app/route.ts": `export const GET = () => null;\n`,
  "lib/a.ts": `import { functions } from "../inngest/index";\nimport { GET } from "../app/route";\nimport { b } from "./b";\nexport const a = () => [functions, GET, b];\n`,
  "lib/b.ts": `import { a } from "./a";\nexport const b = () => a;\n`,
  // A command is the start-up of its own process: it may load inngest/'s list…
  "cli/reconcile.ts": `export const load = () => import("../inngest/index");\n`,
  // …and nothing may import a command.
  "lib/uses-cli.ts": `import { load } from "../cli/reconcile";\nexport const c = load;\n`,
  "lib/fine.ts": `import { b } from "./b";\nexport const fine = b;\n`,
};

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-dependency-rules-"));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the dependency rules npm run lint enforces", () => {
  it("names a rule for cycles, for lib/ → inngest/ and for lib/ → app/", () => {
    expect(forbidden.map((rule) => rule.name)).toEqual(expect.arrayContaining(["no-circular", "lib-not-to-inngest", "lib-not-to-app"]));
    expect(forbidden.every((rule) => rule.severity === "error")).toBe(true);
  });

  it("reports each forbidden import in a tree that breaks them, and nothing else", async () => {
    const { output } = await cruise(["lib", "inngest", "app", "cli"], { baseDir: root, validate: true, ruleSet: { forbidden } });
    const violations = (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations.sort()).toEqual(
      [
        "no-circular: lib/a.ts → lib/b.ts",
        "lib-not-to-inngest: lib/a.ts → inngest/index.ts",
        "lib-not-to-app: lib/a.ts → app/route.ts",
        "cli-not-imported: lib/uses-cli.ts → cli/reconcile.ts",
      ].sort(),
    );
  });
});
