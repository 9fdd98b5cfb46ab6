import { spawnSync } from "node:child_process";

/** Fails the tier (never skips it) when a system tool is missing, saying how to install it. */
export function requireTool(command: string, versionArg: string, install: string): void {
  const result = spawnSync(command, [versionArg], { stdio: "ignore" });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} is required for this test tier but was not found or does not run. Install it: ${install}`);
  }
}
