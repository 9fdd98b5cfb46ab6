import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { guardedPost } from "@/lib/webhooks/guarded-post";
import { startFixtureServer } from "../../support/http-fixtures";
import { startReceiver, type Receiver } from "./receiver";

describe("the guarded POST used for webhook deliveries", () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" });
    await receiver?.close();
  });

  it("connects to the address the guard checked, not to a second DNS answer", async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "receiver.test" });
    const port = new URL(receiver.origin).port;
    let lookups = 0;
    const response = await guardedPost(`http://receiver.test:${port}/pinned`, {
      headers: { "webhook-id": "m1" },
      body: '{"ok":true}',
      timeoutMs: 2000,
      resolver: async () => {
        lookups++;
        return [{ address: "127.0.0.1", family: 4 }];
      },
    });
    expect(response.status).toBe(200);
    expect(lookups).toBe(1);
    const [request] = receiver.to("/pinned");
    expect(request).toMatchObject({ body: '{"ok":true}' });
    expect(request!.headers).toMatchObject({ host: `receiver.test:${port}`, "content-type": "application/json", "webhook-id": "m1" });
  });

  it("refuses a name that resolves to loopback and sends nothing", async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" });
    const port = new URL(receiver.origin).port;
    const before = receiver.received.length;
    await expect(
      guardedPost(`http://rebinding.test:${port}/x`, {
        headers: {},
        body: "{}",
        timeoutMs: 2000,
        resolver: async () => [{ address: "127.0.0.1", family: 4 }],
      }),
    ).rejects.toMatchObject({ code: "url_refused" });
    expect(receiver.received.length).toBe(before);
  });

  it("returns a redirect as it is, without following it", async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" });
    receiver.script("/redirects", [307]);
    const response = await guardedPost(receiver.url("/redirects"), { headers: {}, body: "{}", timeoutMs: 2000 });
    expect(response.status).toBe(307);
    expect(receiver.to("/redirects")).toHaveLength(1);
  });

  it("keeps at most 2 KB of a long answer", async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" });
    const big = await startReceiverAnswering("x".repeat(100_000));
    try {
      const response = await guardedPost(big.url("/"), { headers: {}, body: "{}", timeoutMs: 2000 });
      expect(response.body).toHaveLength(2048);
    } finally {
      await big.close();
    }
  });
});

function startReceiverAnswering(text: string) {
  return startFixtureServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(text);
    });
  });
}
