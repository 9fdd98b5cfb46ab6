import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of
// random bytes, the HMAC key is those bytes, and the signature is
// `v1,` + base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)).
// Receivers can verify with any of the standardwebhooks libraries.

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

export function generateWebhookSecret(random: (size: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(SECRET_BYTES).toString("base64")}`;
}

function signingKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("A webhook secret starts with whsec_.");
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

export type SignedHeaders = { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string };

/** The three Standard Webhooks headers for one attempt; `timestamp` is unix seconds. */
export function signWebhook(params: { secret: string; messageId: string; timestamp: number; body: string }): SignedHeaders {
  const timestamp = String(Math.floor(params.timestamp));
  const signature = createHmac("sha256", signingKey(params.secret))
    .update(`${params.messageId}.${timestamp}.${params.body}`)
    .digest("base64");
  return { "webhook-id": params.messageId, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
}
