import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const read = (file: string) => readFileSync(path.join(process.cwd(), file), "utf8");
const major = (version: string) => Number(version.replace(/^[^\d]*/, "").split(".")[0]);

describe("the supported Node", () => {
  const pkg = JSON.parse(read("package.json"));
  const lock = JSON.parse(read("package-lock.json"));

  it("is Node 24 LTS everywhere it is declared: engines, .nvmrc, the node devDependency, @types/node", () => {
    expect(pkg.engines.node).toBe("^24");
    expect(read(".nvmrc").trim()).toBe("24");
    expect(major(pkg.devDependencies.node)).toBe(24);
    expect(major(lock.packages["node_modules/node"].version)).toBe(24);
    expect(major(pkg.devDependencies["@types/node"])).toBe(24);
  });

  it("approves the node package's install script, which links the platform's binary", () => {
    expect(pkg.allowScripts.node).toBe(true);
  });

  it("is the Node these tests run on (the npm scripts put node_modules/.bin first on PATH)", () => {
    expect(major(process.versions.node)).toBe(24);
  });
});
