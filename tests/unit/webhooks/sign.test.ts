import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook } from "@/lib/webhooks/sign";

describe("Standard Webhooks signatures", () => {
  it("reproduces the specification's published test vector", () => {
    // From the Standard Webhooks reference implementations' tests.
    const headers = signWebhook({
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      messageId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("keys the HMAC with the base64-decoded secret, not the secret's text", () => {
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    const signed = signWebhook({ secret, messageId: "m", timestamp: 1, body: "{}" });
    const withDecodedKey = createHmac("sha256", Buffer.from("0123456789abcdef0123456789abcdef")).update("m.1.{}").digest("base64");
    expect(signed["webhook-signature"]).toBe(`v1,${withDecodedKey}`);
  });

  it("signs the timestamp as whole unix seconds", () => {
    expect(signWebhook({ secret: "whsec_AAAA", messageId: "m", timestamp: 1700000000.9, body: "" })["webhook-timestamp"]).toBe("1700000000");
  });

  it("refuses a secret without the whsec_ prefix", () => {
    expect(() => signWebhook({ secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", messageId: "m", timestamp: 1, body: "" })).toThrow(/whsec_/);
  });

  it("makes secrets of whsec_ and 32 random bytes in base64, different every time", () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(generateWebhookSecret((size) => Buffer.alloc(size, 1))).toBe(`whsec_${Buffer.alloc(32, 1).toString("base64")}`);
  });
});
