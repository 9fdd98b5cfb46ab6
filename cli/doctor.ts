// `npm run doctor`: checks the configured deployment — ffmpeg/ffprobe on this machine
// (version, the encoders the pipeline uses, what to install when missing), storage (credentials, bucket,
// presign + PUT + HEAD + delete, CORS for PUT from the app's origin with ETag exposed,
// the lifecycle rule), the database (migrations applied), Inngest and Stripe, and that
// sign-in and the jobs endpoint are safe for where the app is served — one
// pass/fail line each, non-zero exit on any failure. With no settings it checks the
// local stack that `npm run dev` runs.
import { env } from "@/lib/env";
import { checkStorage } from "@/lib/doctor/check-storage";
import { checkDatabase } from "@/lib/doctor/check-database";
import { checkInngest } from "@/lib/doctor/check-inngest";
import { checkAccess } from "@/lib/doctor/check-access";
import { checkStripe } from "@/lib/doctor/check-stripe";
import { checkMedia } from "@/lib/doctor/check-media";
import type { CheckResult } from "@/lib/doctor/types";
import { applyCommandSettings } from "./_command-settings";

const symbols = { pass: "PASS", warn: "WARN", fail: "FAIL" } as const;

export async function runDoctor(): Promise<CheckResult[]> {
  const e = env();
  return [
    checkAccess(e),
    await checkMedia(),
    ...(await checkStorage(e.APP_URL)),
    await checkDatabase(e.DATABASE_URL),
    await checkInngest(e),
    await checkStripe(e),
  ];
}

applyCommandSettings();
try {
  env();
} catch (error) {
  console.log(`FAIL  configuration: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const results = await runDoctor();
for (const r of results) console.log(`${symbols[r.status]}  ${r.name}: ${r.detail}`);
const failed = results.filter((r) => r.status === "fail").length;
console.log(failed ? `\n${failed} check(s) failed.` : "\nAll checks passed.");
process.exit(failed ? 1 : 0);
