// `npm run bench <name>`: runs tests/bench/<name>.ts, which prints its figures as ratios
// against a baseline measured side by side in the same run.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const benchDir = path.join(process.cwd(), "tests/bench");
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => f.replace(/\.ts$/, ""));
const [name, ...args] = process.argv.slice(2);

if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench <${available.join("|")}>${name ? `\nunknown benchmark: ${name}` : ""}`);
  process.exit(2);
}
const file = path.join(benchDir, `${name}.ts`);
if (!existsSync(file)) process.exit(2);
const bench = (await import(pathToFileURL(file).href)) as { run: (args: string[]) => Promise<void> };
await bench.run(args);
process.exit(0);
