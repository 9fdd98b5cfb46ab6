import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listEndpoints, POST as registerEndpoint } from "@/app/api/webhooks/endpoints/route";
import { DELETE as deleteEndpoint, PATCH as updateEndpoint } from "@/app/api/webhooks/endpoints/[id]/route";
import { GET as listDeliveries } from "@/app/api/webhooks/endpoints/[id]/deliveries/route";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { getWebhookSettings } from "@/lib/webhooks/get-webhook-settings";
import { MAX_ENDPOINTS_PER_USER } from "@/lib/webhooks/schemas";
import { callRoute } from "../../support/routes";
import { createTestUser, type TestUser } from "../../support/users";
import { startReceiver, type Receiver } from "./receiver";

async function register(user: TestUser, url: string) {
  return callRoute(registerEndpoint, { method: "POST", path: "/api/webhooks/endpoints", body: { url }, headers: user.auth });
}

describe("webhook endpoints API", () => {
  let receiver: Receiver;
  let owner: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    receiver = await startReceiver();
    owner = await createTestUser("webhook-owner");
    stranger = await createTestUser("webhook-stranger");
  });
  afterAll(async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" });
    await receiver?.close();
  });

  describe("with the local receiver allowlisted", () => {
    beforeAll(() => setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" }));
    afterAll(() => setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" }));

    it("registers an endpoint and shows its whsec_ secret once, in the answer to the registration", async () => {
      const url = receiver.url(`/registered-${randomUUID()}`);
      const created = await register(owner, url);
      expect(created.status).toBe(201);
      expect(created.body.endpoint).toMatchObject({ url, enabled: true, disabledReason: null });
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(created.body.secret.slice("whsec_".length), "base64")).toHaveLength(32);

      const listed = await callRoute(listEndpoints, { path: "/api/webhooks/endpoints", headers: owner.auth });
      expect(listed.status).toBe(200);
      expect(listed.body.endpoints.map((e: { id: string }) => e.id)).toContain(created.body.endpoint.id);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
      expect(JSON.stringify(listed.body)).not.toContain("secret");
    });

    it("does not contact the URL when registering it", async () => {
      const path = `/quiet-${randomUUID()}`;
      expect((await register(owner, receiver.url(path))).status).toBe(201);
      expect(receiver.requests).not.toContain(path);
    });

    it("refuses the same URL twice for one user with 409", async () => {
      const url = receiver.url(`/twice-${randomUUID()}`);
      expect((await register(owner, url)).status).toBe(201);
      const again = await register(owner, url);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("conflict");
    });

    it(`refuses more than ${MAX_ENDPOINTS_PER_USER} endpoints per user with 422`, async () => {
      const user = await createTestUser("webhook-many");
      for (let i = 0; i < MAX_ENDPOINTS_PER_USER; i++) {
        expect((await register(user, receiver.url(`/many-${i}`))).status).toBe(201);
      }
      const over = await register(user, receiver.url("/one-too-many"));
      expect(over.status).toBe(422);
      expect(over.body.error.message).toContain(`up to ${MAX_ENDPOINTS_PER_USER}`);
    });

    it("switches an endpoint off and on again, clearing the reason", async () => {
      const { body } = await register(owner, receiver.url(`/toggle-${randomUUID()}`));
      const id = body.endpoint.id;
      const off = await callRoute(updateEndpoint, { method: "PATCH", params: { id }, body: { enabled: false }, headers: owner.auth });
      expect(off.status).toBe(200);
      expect(off.body.endpoint).toMatchObject({ enabled: false, disabledReason: "Switched off by its owner." });
      const on = await callRoute(updateEndpoint, { method: "PATCH", params: { id }, body: { enabled: true }, headers: owner.auth });
      expect(on.body.endpoint).toMatchObject({ enabled: true, disabledReason: null });
    });

    it("deletes an endpoint with 204, and a second delete is a 404", async () => {
      const { body } = await register(owner, receiver.url(`/delete-${randomUUID()}`));
      const id = body.endpoint.id;
      expect((await callRoute(deleteEndpoint, { method: "DELETE", params: { id }, headers: owner.auth })).status).toBe(204);
      expect((await callRoute(deleteEndpoint, { method: "DELETE", params: { id }, headers: owner.auth })).status).toBe(404);
      const [row] = await db()`select count(*)::int as count from webhook_endpoints where id = ${id}`;
      expect(row!.count).toBe(0);
    });

    it("answers 404 for another user's endpoint on every route and changes nothing", async () => {
      const { body } = await register(owner, receiver.url(`/private-${randomUUID()}`));
      const id = body.endpoint.id;
      const asStranger = { params: { id }, headers: stranger.auth };
      const deliveries = await callRoute(listDeliveries, asStranger);
      const patch = await callRoute(updateEndpoint, { ...asStranger, method: "PATCH", body: { enabled: false } });
      const del = await callRoute(deleteEndpoint, { ...asStranger, method: "DELETE" });
      expect([deliveries.status, patch.status, del.status]).toEqual([404, 404, 404]);
      expect(deliveries.body.error.code).toBe("not_found");
      const listed = await callRoute(listEndpoints, { headers: stranger.auth });
      expect(listed.body.endpoints).toEqual([]);
      const [row] = await db()<{ enabled: boolean }[]>`select enabled from webhook_endpoints where id = ${id}`;
      expect(row).toEqual({ enabled: true });
    });

    it("gives the settings page the user's own endpoints only, each with its delivery log", async () => {
      const user = await createTestUser("webhook-settings");
      const { body } = await register(user, receiver.url(`/settings-${randomUUID()}`));
      await register(stranger, receiver.url(`/strangers-${randomUUID()}`));
      const settings = await getWebhookSettings(user.claims);
      expect(settings).toEqual([{ endpoint: body.endpoint, deliveries: [] }]);
    });

    it("answers 404 for an id that is not a UUID", async () => {
      const result = await callRoute(listDeliveries, { params: { id: "not-an-id" }, headers: owner.auth });
      expect(result.status).toBe(404);
    });
  });

  describe("without an allowlist (as in production)", () => {
    it.each([
      ["loopback", (r: Receiver) => r.url("/hook")],
      ["loopback written in decimal", (r: Receiver) => r.url("/hook").replace("127.0.0.1", "2130706433")],
      ["localhost", (r: Receiver) => r.url("/hook").replace("127.0.0.1", "localhost")],
      ["an IPv4-mapped IPv6 loopback", (r: Receiver) => r.url("/hook").replace("127.0.0.1", "[::ffff:127.0.0.1]")],
      ["a private network address", () => "http://10.0.0.7/hook"],
      ["the cloud metadata address", () => "http://169.254.169.254/latest/meta-data/"],
    ])("refuses %s with 422 url_refused and never contacts it", async (_name, urlOf) => {
      const before = receiver.requests.length;
      const result = await register(owner, urlOf(receiver));
      expect(result.status).toBe(422);
      expect(result.body.error.code).toBe("url_refused");
      expect(result.body.error.message).toMatch(/cannot receive webhooks/);
      expect(result.body.error.message).not.toMatch(/import/i);
      expect(receiver.requests.length).toBe(before);
    });

    it("refuses a non-http scheme and credentials in the URL with 422", async () => {
      const ftp = await register(owner, "ftp://example.com/hook");
      const creds = await register(owner, "https://user:pass@example.com/hook");
      expect([ftp.status, creds.status]).toEqual([422, 422]);
      expect(ftp.body.error.code).toBe("url_refused");
    });

    it("does not switch on an endpoint whose address the guard now refuses", async () => {
      setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" });
      const { body } = await register(owner, receiver.url(`/later-refused-${randomUUID()}`));
      const id = body.endpoint.id;
      await callRoute(updateEndpoint, { method: "PATCH", params: { id }, body: { enabled: false }, headers: owner.auth });
      setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" });
      const on = await callRoute(updateEndpoint, { method: "PATCH", params: { id }, body: { enabled: true }, headers: owner.auth });
      expect(on.status).toBe(422);
      expect(on.body.error.code).toBe("url_refused");
    });
  });

  it("needs a signed-in user", async () => {
    expect((await callRoute(listEndpoints, {})).status).toBe(401);
    expect((await callRoute(registerEndpoint, { method: "POST", body: { url: "https://example.com/hook" } })).status).toBe(401);
  });
});
