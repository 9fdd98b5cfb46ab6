import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { callRoute } from "../support/routes";
import { testUser } from "../support/users";

// Every state-changing route, reached the way a page on another origin would reach it: with
// the person's session cookie (the browser adds it) and the page's Origin / Sec-Fetch-Site.
// Each is refused before it does anything; a bearer-token client with no cookie is not a
// cross-site risk and keeps working.

type AnyHandler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;
type Case = { name: string; method: string; handler: () => Promise<AnyHandler>; params?: Record<string, string>; body: unknown };

const id = randomUUID();
const cases: Case[] = [
  { name: "POST /api/auth/session", method: "POST", handler: async () => (await import("@/app/api/auth/session/route")).POST, body: { accessToken: "x".repeat(40) } },
  { name: "DELETE /api/auth/session", method: "DELETE", handler: async () => (await import("@/app/api/auth/session/route")).DELETE, body: undefined },
  { name: "POST /api/auth/dev-login", method: "POST", handler: async () => (await import("@/app/api/auth/dev-login/route")).POST, body: { email: "attacker@example.com" } },
  { name: "POST /api/uploads", method: "POST", handler: async () => (await import("@/app/api/uploads/route")).POST, body: { filename: "a.mp4", size: 1000, contentType: "video/mp4" } },
  { name: "DELETE /api/uploads/:id", method: "DELETE", handler: async () => (await import("@/app/api/uploads/[uploadId]/route")).DELETE, params: { uploadId: id }, body: undefined },
  { name: "POST /api/uploads/:id/complete", method: "POST", handler: async () => (await import("@/app/api/uploads/[uploadId]/complete/route")).POST, params: { uploadId: id }, body: {} },
  { name: "POST /api/uploads/:id/parts", method: "POST", handler: async () => (await import("@/app/api/uploads/[uploadId]/parts/route")).POST, params: { uploadId: id }, body: { partNumbers: [1] } },
  { name: "PATCH /api/uploads/:id/parts", method: "PATCH", handler: async () => (await import("@/app/api/uploads/[uploadId]/parts/route")).PATCH, params: { uploadId: id }, body: { parts: [] } },
  { name: "PUT /api/uploads/:id/parts/:n", method: "PUT", handler: async () => (await import("@/app/api/uploads/[uploadId]/parts/[partNumber]/route")).PUT, params: { uploadId: id, partNumber: "1" }, body: { etag: '"x"', size: 1 } },
  { name: "POST /api/imports", method: "POST", handler: async () => (await import("@/app/api/imports/route")).POST, body: { url: "https://example.com/a.mp4" } },
  { name: "PATCH /api/projects/:id", method: "PATCH", handler: async () => (await import("@/app/api/projects/[id]/route")).PATCH, params: { id }, body: { title: "pwned" } },
  { name: "DELETE /api/projects/:id", method: "DELETE", handler: async () => (await import("@/app/api/projects/[id]/route")).DELETE, params: { id }, body: undefined },
  { name: "POST /api/projects/:id/retry", method: "POST", handler: async () => (await import("@/app/api/projects/[id]/retry/route")).POST, params: { id }, body: {} },
  { name: "POST /api/webhooks/endpoints", method: "POST", handler: async () => (await import("@/app/api/webhooks/endpoints/route")).POST, body: { url: "https://hooks.example.com/x" } },
  { name: "PATCH /api/webhooks/endpoints/:id", method: "PATCH", handler: async () => (await import("@/app/api/webhooks/endpoints/[id]/route")).PATCH, params: { id }, body: { enabled: false } },
  { name: "DELETE /api/webhooks/endpoints/:id", method: "DELETE", handler: async () => (await import("@/app/api/webhooks/endpoints/[id]/route")).DELETE, params: { id }, body: undefined },
  { name: "POST /api/billing/checkout", method: "POST", handler: async () => (await import("@/app/api/billing/checkout/route")).POST, body: { plan: "pro" } },
  { name: "POST /api/billing/portal", method: "POST", handler: async () => (await import("@/app/api/billing/portal/route")).POST, body: {} },
];

const foreign: { label: string; headers: Record<string, string> }[] = [
  { label: "another site", headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
  { label: "another origin on the same site", headers: { origin: "http://localhost:4000", "sec-fetch-site": "same-site" } },
  { label: "an opaque origin (sandboxed frame, data: URL)", headers: { origin: "null" } },
  { label: "a browser that names only the site", headers: { "sec-fetch-site": "cross-site" } },
];

describe("state-changing routes, reached from another origin with the session cookie", () => {
  const victim = testUser("csrf-victim");
  let cookie: string;

  beforeAll(async () => {
    cookie = `cc_session=${victim.token}`;
  });

  for (const c of cases) {
    it(`${c.name} refuses every foreign origin with 403 forbidden_origin`, async () => {
      const handler = await c.handler();
      for (const { label, headers } of foreign) {
        const { status, body, response } = await callRoute(handler, {
          method: c.method,
          params: c.params,
          body: c.body,
          headers: { cookie, ...headers },
        });
        expect(status, label).toBe(403);
        expect(body.error.code, label).toBe("forbidden_origin");
        expect(body.error.message, label).toMatch(/another website/);
        expect(response.headers.get("set-cookie"), label).toBeNull();
      }
    });
  }

  it("refuses a JSON body sent as a form would send it (text/plain, form-encoded) with 415", async () => {
    for (const c of cases.filter((c) => c.method !== "DELETE")) {
      const handler = await c.handler();
      for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
        const { status, body } = await callRoute(handler, {
          method: c.method,
          params: c.params,
          body: JSON.stringify(c.body ?? {}),
          headers: { cookie, "content-type": contentType, "sec-fetch-site": "same-origin" },
        });
        expect(status, `${c.name} ${contentType}`).toBe(415);
        expect(body.error.code).toBe("unsupported_media_type");
      }
    }
  });

  it("changes nothing: the victim has no project, upload, import or webhook endpoint afterwards", async () => {
    const [row] = await db()<{ projects: number; uploads: number; endpoints: number }[]>`
      select (select count(*)::int from projects where user_id = ${victim.id}) as projects,
             (select count(*)::int from uploads where user_id = ${victim.id}) as uploads,
             (select count(*)::int from webhook_endpoints where user_id = ${victim.id}) as endpoints`;
    expect(row).toEqual({ projects: 0, uploads: 0, endpoints: 0 });
  });

  it("accepts the app's own pages: same origin with the cookie", async () => {
    const { POST } = await import("@/app/api/imports/route");
    const { status } = await callRoute(POST, {
      body: { url: "ftp://example.com/a.mp4" },
      headers: { cookie, origin: "http://localhost:3000", "sec-fetch-site": "same-origin" },
    });
    // The import itself is refused for its scheme (422): the request got past the origin check.
    expect(status).toBe(422);
  });

  it("accepts the app under each loopback name of APP_URL's port, and no other origin", async () => {
    const { POST } = await import("@/app/api/imports/route");
    for (const name of ["127.0.0.1", "[::1]", "localhost"]) {
      const same = await callRoute(POST, {
        body: { url: "ftp://example.com/a.mp4" },
        headers: { cookie, host: `${name}:3000`, origin: `http://${name}:3000`, "sec-fetch-site": "same-origin" },
      });
      expect(same.status, name).toBe(422);
    }
    const otherPort = await callRoute(POST, {
      body: { url: "ftp://example.com/a.mp4" },
      headers: { cookie, host: "127.0.0.1:3000", origin: "http://127.0.0.1:4000" },
    });
    expect(otherPort.status).toBe(403);
  });

  it("refuses a request whose Host is a name rebound to this server, even when its Origin and Sec-Fetch-Site agree with that Host", async () => {
    // DNS rebinding: attacker.example now resolves to 127.0.0.1, so the attacker's page is
    // "same-origin" with whatever answers there, and the browser names attacker.example in both.
    const rebound = { host: "attacker.example:3000", origin: "http://attacker.example:3000", "sec-fetch-site": "same-origin" };
    const email = `rebinding-${randomUUID()}@example.com`;
    const { POST: devLogin } = await import("@/app/api/auth/dev-login/route");
    const { POST: createImport } = await import("@/app/api/imports/route");
    for (const [name, result] of [
      ["sign-in", await callRoute(devLogin, { body: { email }, headers: rebound })],
      ["sign-in without an Origin", await callRoute(devLogin, { body: { email }, headers: { host: rebound.host } })],
      ["import with the cookie", await callRoute(createImport, { body: { url: "https://example.com/a.mp4" }, headers: { cookie, ...rebound } })],
    ] as const) {
      expect(result.status, name).toBe(403);
      expect(result.body.error.code, name).toBe("forbidden_origin");
      expect(result.body.error.message, name).toMatch(/addressed to "attacker\.example:3000", which is not where ClipCrafter is served \(http:\/\/localhost:3000\)/);
      expect(result.body.accessToken, name).toBeUndefined();
      expect(result.response.headers.get("set-cookie"), name).toBeNull();
    }
    const [created] = await db()`select id from auth.users where email = ${email}`;
    expect(created).toBeUndefined();
    const [imports] = await db()<{ n: number }[]>`select count(*)::int as n from projects where user_id = ${victim.id}`;
    expect(imports!.n).toBe(0);
  });

  it("keeps serving a script that sends a bearer token and no cookie, whatever its Origin", async () => {
    const { POST } = await import("@/app/api/webhooks/endpoints/route");
    const { status } = await callRoute(POST, {
      body: { url: "http://127.0.0.1/hook" },
      headers: { ...victim.auth, origin: "https://tools.example" },
    });
    // Refused by the SSRF guard (a loopback address), not by the origin check.
    expect(status).toBe(422);
    const { POST: retry } = await import("@/app/api/projects/[id]/retry/route");
    const bare = await callRoute(retry, { method: "POST", params: { id }, headers: victim.auth });
    expect(bare.status).toBe(404);
  });
});
