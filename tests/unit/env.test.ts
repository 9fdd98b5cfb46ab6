import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/lib/env";

const minimal = {
  DATABASE_URL: "postgres://u:p@localhost:5432/db",
  SUPABASE_JWT_SECRET: "secret",
  R2_ENDPOINT: "http://127.0.0.1:4568",
  R2_ACCESS_KEY_ID: "a",
  R2_SECRET_ACCESS_KEY: "b",
  R2_BUCKET: "bucket",
};

describe("configuration", () => {
  it("names the missing setting when one is absent", () => {
    const { DATABASE_URL: _omitted, ...rest } = minimal;
    expect(() => parseEnv(rest)).toThrowError(EnvError);
    expect(() => parseEnv(rest)).toThrowError(/DATABASE_URL/);
  });

  it("asks for a JWT secret or a Supabase URL to verify tokens", () => {
    const { SUPABASE_JWT_SECRET: _omitted, ...rest } = minimal;
    expect(() => parseEnv(rest)).toThrowError(/SUPABASE_JWT_SECRET/);
    expect(parseEnv({ ...rest, SUPABASE_URL: "https://abc.supabase.co" }).authMode).toBe("supabase");
  });

  it("defaults to local auth, embedded jobs, billing off and the documented limits", () => {
    const env = parseEnv(minimal);
    expect(env.authMode).toBe("local");
    expect(env.inngestMode).toBe("embedded");
    expect(env.billingEnabled).toBe(false);
    expect(env.UPLOAD_SINGLE_PUT_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(env.UPLOAD_URL_TTL_SECONDS).toBe(900);
    expect(env.FFMPEG_PRESET).toBe("veryfast");
  });

  it("selects Inngest Cloud when an event key is set and then requires the signing key", () => {
    expect(() => parseEnv({ ...minimal, INNGEST_EVENT_KEY: "ek" })).toThrowError(/INNGEST_SIGNING_KEY/);
    expect(parseEnv({ ...minimal, INNGEST_EVENT_KEY: "ek", INNGEST_SIGNING_KEY: "sk" }).inngestMode).toBe("cloud");
  });

  it("refuses a part size below the S3 minimum", () => {
    expect(() => parseEnv({ ...minimal, UPLOAD_PART_SIZE_BYTES: "1024" })).toThrowError(/5 MiB/);
  });
});
