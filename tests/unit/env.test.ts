import { describe, expect, it } from "vitest";
import { devServerModeRefusal, EnvError, envSource, envValue, isLoopbackHost, parseEnv, setEnvForProcess } from "@/lib/env";

const minimal = {
  AUTH_MODE: "local",
  DATABASE_URL: "postgres://u:p@localhost:5432/db",
  SUPABASE_JWT_SECRET: "secret",
  R2_ENDPOINT: "http://127.0.0.1:4568",
  R2_ACCESS_KEY_ID: "a",
  R2_SECRET_ACCESS_KEY: "b",
  R2_BUCKET: "bucket",
};

// What a production start with local sign-in needs, for the tests of other rules.
const localSignInInProduction = { ALLOW_LOCAL_AUTH_IN_PRODUCTION: "loopback-only", HOSTNAME: "127.0.0.1" };

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
    const production = { ...minimal, ...localSignInInProduction, NODE_ENV: "production", APP_URL: "http://localhost:3000" };
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

  it("refuses passwordless local sign-in in production, a loopback APP_URL included, naming AUTH_MODE and SUPABASE_URL", () => {
    const production = { ...minimal, NODE_ENV: "production", INNGEST_MODE: "embedded" };
    for (const appUrl of ["https://clips.example.com", "http://localhost:3000", "http://127.0.0.1:3000"]) {
      expect(() => parseEnv({ ...production, APP_URL: appUrl }), appUrl).toThrowError(/AUTH_MODE=local \(passwordless sign-in\) is refused in production/);
      expect(() => parseEnv({ ...production, APP_URL: appUrl }), appUrl).toThrowError(/SUPABASE_URL/);
    }
    // APP_URL is the default when unset: no less refused.
    expect(() => parseEnv(production)).toThrowError(/AUTH_MODE=local/);
  });

  it("allows local sign-in in production only when asked by name for a server listening on loopback alone", () => {
    const production = { ...minimal, NODE_ENV: "production", INNGEST_MODE: "embedded", APP_URL: "http://localhost:3000" };
    const optIn = { ALLOW_LOCAL_AUTH_IN_PRODUCTION: "loopback-only" };
    expect(parseEnv({ ...production, ...optIn, HOSTNAME: "127.0.0.1" }).authMode).toBe("local");
    expect(parseEnv({ ...production, ...optIn, HOST: "::1" }).authMode).toBe("local");
    const refused = [
      { HOSTNAME: "127.0.0.1" }, // not asked for
      { ...optIn }, // no listening address named: next start listens on every interface
      { ...optIn, HOSTNAME: "0.0.0.0" },
      { ...optIn, HOSTNAME: "127.0.0.1", HOST: "0.0.0.0" },
      { ...optIn, HOSTNAME: "192.168.1.20" },
      { ...optIn, HOSTNAME: "127.0.0.1", APP_URL: "https://clips.example.com" }, // a proxy in front makes it public
      { ...optIn, HOSTNAME: "127.0.0.1", ALLOW_LOCAL_AUTH_IN_PRODUCTION: "yes" },
    ];
    for (const settings of refused) {
      expect(() => parseEnv({ ...production, ...settings }), JSON.stringify(settings)).toThrowError(/ALLOW_LOCAL_AUTH_IN_PRODUCTION|AUTH_MODE=local/);
    }
  });

  it("refuses the Dev Server mode for an app listening beyond loopback, naming HOST and the embedded mode", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
      expect(() => parseEnv({ ...minimal, INNGEST_MODE: "dev", HOST: host }), host).toThrowError(new RegExp(`HOST=${host.replace(/\./g, "\\.")}`));
      expect(() => parseEnv({ ...minimal, INNGEST_MODE: "dev", HOST: host }), host).toThrowError(/INNGEST_MODE=embedded/);
      // npm run dev asks the same rule before it starts the Dev Server it would pick itself.
      expect(devServerModeRefusal(host), host).toMatch(/Inngest Dev Server mode \(INNGEST_MODE=dev/);
      expect(parseEnv({ ...minimal, INNGEST_MODE: "embedded", HOST: host }).inngestMode).toBe("embedded");
    }
    for (const host of [undefined, "127.0.0.1", "localhost", "::1", "[::1]"]) {
      expect(parseEnv({ ...minimal, INNGEST_MODE: "dev", ...(host ? { HOST: host } : {}) }).inngestMode, host).toBe("dev");
      expect(devServerModeRefusal(host), host).toBeUndefined();
    }
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

  it("fails local sign-in in production even with a loopback APP_URL, and warns when it is allowed on loopback only", async () => {
    const { checkAccess } = await import("@/lib/doctor/check-access");
    // As the doctor sees settings that a production start would refuse outright.
    const production = { ...parseEnv({ ...minimal, INNGEST_MODE: "embedded" }), NODE_ENV: "production" as const };
    expect(checkAccess(production)).toMatchObject({ status: "fail", detail: expect.stringMatching(/AUTH_MODE=local .* refused in production/) });
    const allowed = parseEnv({ ...minimal, NODE_ENV: "production", INNGEST_MODE: "embedded", ALLOW_LOCAL_AUTH_IN_PRODUCTION: "loopback-only", HOSTNAME: "127.0.0.1" });
    expect(checkAccess(allowed)).toMatchObject({ status: "warn", detail: expect.stringMatching(/passwordless sign-in in production/) });
  });

  it("warns when the local stack's passwordless sign-in listens beyond loopback", async () => {
    const { checkAccess } = await import("@/lib/doctor/check-access");
    expect(checkAccess(parseEnv({ ...minimal, HOST: "0.0.0.0" }))).toMatchObject({ status: "warn", detail: expect.stringMatching(/listens on 0\.0\.0\.0/) });
  });
});

describe("which hosts reach only this machine", () => {
  it("counts every spelling of a loopback address and localhost, and nothing else", () => {
    for (const host of ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::ffff:7f00:1]"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "localhost.example.com", "128.0.0.1", ""]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
