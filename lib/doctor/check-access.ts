import { unsafeModeIssues, type Env } from "@/lib/env";
import type { CheckResult } from "./types";

function isLoopback(appUrl: string): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(new URL(appUrl).hostname);
}

/**
 * A deployment (an APP_URL beyond loopback) is judged by the rules a production start
 * applies, whatever NODE_ENV the doctor runs with: local sign-in, the unsigned Dev Server
 * mode or embedded jobs chosen by omission would let strangers in there.
 */
export function checkAccess(e: Env): CheckResult {
  const name = "access: sign-in and jobs endpoint";
  const modes = `sign-in ${e.authMode === "local" ? "local (passwordless)" : "Supabase Auth"}, jobs ${e.inngestMode}`;
  if (isLoopback(e.APP_URL)) {
    return { name, status: "pass", detail: `${modes}; APP_URL is loopback, so this is a local setup` };
  }
  const issues = unsafeModeIssues({ ...e, NODE_ENV: "production" });
  if (issues.length) {
    return { name, status: "fail", detail: `${modes} is unsafe for ${e.APP_URL}: ${issues.map((i) => i.message).join("; ")}` };
  }
  return { name, status: "pass", detail: `${modes}${e.inngestMode === "cloud" ? " (runs only requests signed with INNGEST_SIGNING_KEY)" : ""}` };
}
