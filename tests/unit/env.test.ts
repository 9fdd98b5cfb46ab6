import { describe, expect, it } from "vitest";
import { EnvError, envSource, envValue, parseEnv, setEnvForProcess } from "@/lib/env";

const minimal = {
  AUTH_MODE: "local",
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

  it("turns on local sign-in only when AUTH_MODE=local says so, and names SUPABASE_URL otherwise", () => {
    const { AUTH_MODE: _omitted, ...rest } = minimal;
    expect(() => parseEnv(rest)).toThrowError(/SUPABASE_URL is required/);
    expect(parseEnv({ ...rest, SUPABASE_URL: "https://abc.supabase.co", SUPABASE_ANON_KEY: "anon" }).authMode).toBe("supabase");
  });

  it("asks for the JWT secret that signs local sessions", () => {
    const { SUPABASE_JWT_SECRET: _omitted, ...rest } = minimal;
    expect(() => parseEnv(rest)).toThrowError(/SUPABASE_JWT_SECRET/);
  });

  it("asks for the anon key with a Supabase URL and refuses local sign-in beside it", () => {
    const { AUTH_MODE: _omitted, ...rest } = minimal;
    expect(() => parseEnv({ ...rest, SUPABASE_URL: "https://abc.supabase.co" })).toThrowError(/SUPABASE_ANON_KEY/);
    expect(() =>
      parseEnv({ ...minimal, SUPABASE_URL: "https://abc.supabase.co", SUPABASE_ANON_KEY: "anon" }),
    ).toThrowError(/AUTH_MODE=local conflicts with SUPABASE_URL/);
  });

  it("defaults to embedded jobs, billing off and the documented limits", () => {
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

  it("refuses a production start without Inngest keys, naming both settings and the self-hosting choice", () => {
    const production = { ...minimal, NODE_ENV: "production", APP_URL: "http://localhost:3000" };
    expect(() => parseEnv(production)).toThrowError(/INNGEST_EVENT_KEY is required in production/);
    expect(() => parseEnv(production)).toThrowError(/INNGEST_SIGNING_KEY is required in production/);
    expect(() => parseEnv(production)).toThrowError(/INNGEST_MODE=embedded/);
    expect(parseEnv({ ...production, INNGEST_MODE: "embedded" }).inngestMode).toBe("embedded");
    expect(parseEnv({ ...production, INNGEST_EVENT_KEY: "ek", INNGEST_SIGNING_KEY: "signkey-prod-1" }).inngestMode).toBe("cloud");
  });

  it("refuses the Dev Server mode in production", () => {
    const production = { ...minimal, NODE_ENV: "production", APP_URL: "http://localhost:3000" };
    expect(() => parseEnv({ ...production, INNGEST_MODE: "dev" })).toThrowError(/INNGEST_MODE=dev is for local development only/);
  });

  it("refuses passwordless local sign-in in production unless the app is only on loopback", () => {
    const production = { ...minimal, NODE_ENV: "production", INNGEST_MODE: "embedded" };
    expect(() => parseEnv({ ...production, APP_URL: "https://clips.example.com" })).toThrowError(/AUTH_MODE=local .* refused in production/);
    expect(parseEnv({ ...production, APP_URL: "http://127.0.0.1:3000" }).authMode).toBe("local");
  });

  it("refuses cloud mode without its signing key, outside production too", () => {
    expect(() => parseEnv({ ...minimal, INNGEST_MODE: "cloud", INNGEST_EVENT_KEY: "ek" })).toThrowError(/INNGEST_SIGNING_KEY/);
  });

  it("reads one variable as the whole environment copy has it: this process's setting over the inherited one, and unset when set to undefined", () => {
    const inherited = envSource().PATH;
    expect(inherited).toBeTruthy();
    try {
      expect(envValue("PATH")).toBe(inherited);
      setEnvForProcess({ PATH: "/opt/elsewhere/bin" });
      expect(envValue("PATH")).toBe("/opt/elsewhere/bin");
      expect(envValue("PATH")).toBe(envSource().PATH);
      setEnvForProcess({ PATH: undefined });
      expect(envValue("PATH")).toBeUndefined();
      expect(envSource().PATH).toBeUndefined();
    } finally {
      setEnvForProcess({ PATH: inherited });
    }
    expect(envValue("CLIPCRAFTER_NEVER_SET_ANYWHERE")).toBeUndefined();
  });

  it("refuses a part size below the S3 minimum", () => {
    expect(() => parseEnv({ ...minimal, UPLOAD_PART_SIZE_BYTES: "1024" })).toThrowError(/5 MiB/);
  });
});

describe("the doctor's access check", () => {
  it("fails a deployment served beyond loopback with local sign-in or jobs chosen by omission", async () => {
    const { checkAccess } = await import("@/lib/doctor/check-access");
    const deployed = parseEnv({ ...minimal, APP_URL: "https://clips.example.com" });
    const result = checkAccess(deployed);
    expect(result.status).toBe("fail");
    expect(result.detail).toMatch(/AUTH_MODE=local/);
    expect(result.detail).toMatch(/INNGEST_EVENT_KEY is required in production/);
  });

  it("fails the Dev Server mode for a deployment", async () => {
    const { checkAccess } = await import("@/lib/doctor/check-access");
    const { AUTH_MODE: _omitted, ...rest } = minimal;
    const deployed = parseEnv({ ...rest, APP_URL: "https://clips.example.com", SUPABASE_URL: "https://abc.supabase.co", SUPABASE_ANON_KEY: "anon", INNGEST_MODE: "dev" });
    expect(checkAccess(deployed)).toMatchObject({ status: "fail", detail: expect.stringMatching(/INNGEST_MODE=dev/) });
  });

  it("passes Supabase Auth with Inngest Cloud, and the explicit self-hosting mode", async () => {
    const { checkAccess } = await import("@/lib/doctor/check-access");
    const { AUTH_MODE: _omitted, ...rest } = minimal;
    const supabase = { ...rest, APP_URL: "https://clips.example.com", SUPABASE_URL: "https://abc.supabase.co", SUPABASE_ANON_KEY: "anon" };
    expect(checkAccess(parseEnv({ ...supabase, INNGEST_EVENT_KEY: "ek", INNGEST_SIGNING_KEY: "signkey-prod-1" })).status).toBe("pass");
    expect(checkAccess(parseEnv({ ...supabase, INNGEST_MODE: "embedded" })).status).toBe("pass");
  });

  it("passes the local stack on loopback", async () => {
    const { checkAccess } = await import("@/lib/doctor/check-access");
    expect(checkAccess(parseEnv(minimal)).status).toBe("pass");
  });
});
