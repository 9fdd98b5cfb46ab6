import type { Env } from "@/lib/env";
import { runCheck, type CheckResult } from "./types";

export async function checkInngest(e: Env): Promise<CheckResult> {
  return runCheck("jobs: Inngest", async () => {
    if (e.inngestMode === "embedded") {
      return { status: "pass", detail: "embedded mode: functions run in the app's process (no Inngest server needed)" };
    }
    const url = e.inngestMode === "dev" ? e.INNGEST_DEV_SERVER_URL : "https://api.inngest.com";
    if (e.inngestMode === "cloud" && !e.INNGEST_SIGNING_KEY?.startsWith("signkey-")) {
      return { status: "fail", detail: "INNGEST_SIGNING_KEY does not look like an Inngest signing key (signkey-…)" };
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      return { status: "pass", detail: `${e.inngestMode === "dev" ? "Dev Server" : "Inngest Cloud"} reachable at ${url} (HTTP ${response.status})` };
    } catch (error) {
      return {
        status: "fail",
        detail: `${e.inngestMode === "dev" ? "Dev Server" : "Inngest Cloud"} not reachable at ${url}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  });
}
