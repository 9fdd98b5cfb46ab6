import { env } from "@/lib/env";
import { storageOrigins, type PolicySettings } from "./headers";

/** The policy settings of this process. */
export function policySettings(): PolicySettings {
  const e = env();
  return {
    appUrl: e.APP_URL,
    storageOrigins: storageOrigins(e.R2_PUBLIC_ENDPOINT ?? e.R2_ENDPOINT, e.R2_BUCKET, e.R2_FORCE_PATH_STYLE),
    supabaseOrigin: e.authMode === "supabase" && e.SUPABASE_URL ? new URL(e.SUPABASE_URL).origin : undefined,
    development: e.NODE_ENV === "development",
  };
}
