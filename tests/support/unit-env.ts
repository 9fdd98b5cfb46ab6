import { setEnvForProcess } from "@/lib/env";

/** Settings for unit tests that need a configuration but no running service. */
export function useUnitEnv(overrides: Record<string, string> = {}): void {
  setEnvForProcess({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: "postgres://unused:unused@127.0.0.1:1/unused",
    AUTH_MODE: "local",
    SUPABASE_JWT_SECRET: "unit-test-secret-that-is-long-enough-0123456789",
    R2_ENDPOINT: "https://account-id.r2.cloudflarestorage.com",
    R2_ACCESS_KEY_ID: "AKIDUNITTEST",
    R2_SECRET_ACCESS_KEY: "unit-test-secret-access-key",
    R2_BUCKET: "clipcrafter-unit",
    ...overrides,
  });
}
