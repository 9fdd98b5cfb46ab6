import { isLoopbackHost, unsafeModeIssues, type Env } from "@/lib/env";
import type { CheckResult } from "./types";

/**
 * A deployment (a production start, or an APP_URL beyond loopback) is judged by the rules a
 * production start applies, whatever NODE_ENV the doctor runs with: local sign-in, the
 * unsigned Dev Server mode or embedded jobs chosen by omission would let strangers in there.
 * A loopback APP_URL alone does not make a local setup: it is the default.
 */
export function checkAccess(e: Env): CheckResult {
  const name = "access: sign-in and jobs endpoint";
  const modes = `sign-in ${e.authMode === "local" ? "local (passwordless)" : "Supabase Auth"}, jobs ${e.inngestMode}`;
  const listening = [e.HOSTNAME, e.HOST].filter((host): host is string => Boolean(host));
  if (e.NODE_ENV !== "production" && isLoopbackHost(new URL(e.APP_URL).hostname)) {
    const exposed = listening.find((host) => !isLoopbackHost(host));
    if (e.authMode === "local" && exposed) {
      return { name, status: "warn", detail: `${modes}; the server listens on ${exposed}, so anyone on the network can sign in as anyone: keep HOST on 127.0.0.1` };
    }
    return { name, status: "pass", detail: `${modes}; APP_URL is loopback, so this is a local setup` };
  }
  const issues = unsafeModeIssues({ ...e, NODE_ENV: "production" });
  if (issues.length) {
    return { name, status: "fail", detail: `${modes} is unsafe for ${e.APP_URL}: ${issues.map((i) => i.message).join("; ")}` };
  }
  if (e.authMode === "local") {
    return {
      name,
      status: "warn",
      detail: `${modes}: passwordless sign-in in production (ALLOW_LOCAL_AUTH_IN_PRODUCTION=loopback-only), for a server only this machine reaches; anyone with access to this machine can sign in as anyone`,
    };
  }
  return { name, status: "pass", detail: `${modes}${e.inngestMode === "cloud" ? " (runs only requests signed with INNGEST_SIGNING_KEY)" : ""}` };
}
