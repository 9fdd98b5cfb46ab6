import { afterEach, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { POST as devLogin } from "@/app/api/auth/dev-login/route";
import { verifyAccessToken } from "@/lib/auth/tokens";
import { callRoute } from "../support/routes";

describe("POST /api/auth/dev-login", () => {
  it("maps the same email to the same user every time and sets the session cookie", async () => {
    const email = `same-${Date.now()}@example.com`;
    const first = await callRoute(devLogin, { body: { email } });
    const second = await callRoute(devLogin, { body: { email: email.toUpperCase() } });
    expect(first.status).toBe(200);
    expect(second.body.userId).toBe(first.body.userId);
    expect(first.response.headers.get("set-cookie")).toMatch(/^cc_session=.+; Path=\/; HttpOnly; SameSite=Lax/);
    await expect(verifyAccessToken(first.body.accessToken)).resolves.toMatchObject({ id: first.body.userId });
  });

  it("refuses a malformed email with 422 and a message", async () => {
    const { status, body } = await callRoute(devLogin, { body: { email: "nope" } });
    expect(status).toBe(422);
    expect(body.error.message).toMatch(/valid email/);
  });

  it("refuses a body that is not JSON with 400", async () => {
    const { status, body } = await callRoute(devLogin, { body: "{not json" });
    expect(status).toBe(400);
    expect(body.error.code).toBe("bad_request");
  });
});

describe("POST /api/auth/dev-login with Supabase Auth configured", () => {
  afterEach(() => setEnvForProcess({ SUPABASE_URL: "", SUPABASE_ANON_KEY: "", AUTH_MODE: "local" }));

  it("answers 404: there is no password-less sign-in outside local mode", async () => {
    setEnvForProcess({ SUPABASE_URL: "https://project-ref.supabase.co", SUPABASE_ANON_KEY: "anon-key", AUTH_MODE: "" });
    const { status, body, response } = await callRoute(devLogin, { body: { email: "a@example.com" } });
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});
