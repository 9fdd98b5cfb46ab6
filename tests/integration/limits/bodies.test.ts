import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyLimits } from "@/lib/api/read-body";
import { envSource, setEnvForProcess } from "@/lib/env";
import { testUser } from "../../support/users";
import { disableBilling, enableBilling, testStripeSettings } from "../billing/billing-env";

// Every route that reads a body refuses one over its cap: at once when Content-Length says
// so, and as soon as a body without a length has streamed past the cap. The bodies here are
// streams that count what was pulled from them, so "refused before reading" is measured.

type AnyHandler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;
type Case = { name: string; method: string; cap: number; handler: () => Promise<AnyHandler>; params?: Record<string, string> };

const id = randomUUID();
const cases: Case[] = [
  { name: "POST /api/auth/dev-login", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/auth/dev-login/route")).POST },
  { name: "POST /api/auth/session", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/auth/session/route")).POST },
  { name: "POST /api/uploads", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/uploads/route")).POST },
  { name: "POST /api/uploads/:id/complete", method: "POST", cap: bodyLimits.uploadPartsList, handler: async () => (await import("@/app/api/uploads/[uploadId]/complete/route")).POST, params: { uploadId: id } },
  { name: "POST /api/uploads/:id/parts", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/uploads/[uploadId]/parts/route")).POST, params: { uploadId: id } },
  { name: "PATCH /api/uploads/:id/parts", method: "PATCH", cap: bodyLimits.uploadPartsList, handler: async () => (await import("@/app/api/uploads/[uploadId]/parts/route")).PATCH, params: { uploadId: id } },
  { name: "PUT /api/uploads/:id/parts/:n", method: "PUT", cap: bodyLimits.json, handler: async () => (await import("@/app/api/uploads/[uploadId]/parts/[partNumber]/route")).PUT, params: { uploadId: id, partNumber: "1" } },
  { name: "POST /api/imports", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/imports/route")).POST },
  { name: "PATCH /api/projects/:id", method: "PATCH", cap: bodyLimits.json, handler: async () => (await import("@/app/api/projects/[id]/route")).PATCH, params: { id } },
  { name: "POST /api/webhooks/endpoints", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/webhooks/endpoints/route")).POST },
  { name: "PATCH /api/webhooks/endpoints/:id", method: "PATCH", cap: bodyLimits.json, handler: async () => (await import("@/app/api/webhooks/endpoints/[id]/route")).PATCH, params: { id } },
  { name: "POST /api/billing/checkout", method: "POST", cap: bodyLimits.json, handler: async () => (await import("@/app/api/billing/checkout/route")).POST },
  { name: "POST /api/webhooks/stripe", method: "POST", cap: bodyLimits.stripeWebhook, handler: async () => (await import("@/app/api/webhooks/stripe/route")).POST },
  // Inngest Cloud mode (set below): the signed requests the SDK would read whole.
  { name: "POST /api/inngest", method: "POST", cap: bodyLimits.inngestRun, handler: async () => (await import("@/app/api/inngest/route")).POST as AnyHandler },
  { name: "PUT /api/inngest", method: "PUT", cap: bodyLimits.inngestRun, handler: async () => (await import("@/app/api/inngest/route")).PUT as AnyHandler },
];

/** An endless body (JSON-looking bytes) that records how much was pulled from it. */
function countingBody(chunkBytes = 8192) {
  const pulled = { bytes: 0, calls: 0 };
  const chunk = new TextEncoder().encode(`{"x":"${"a".repeat(chunkBytes - 8)}`.padEnd(chunkBytes, "a"));
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled.calls += 1;
        pulled.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled };
}

function call(c: Case, body: ReadableStream<Uint8Array> | string, headers: Record<string, string>) {
  return c.handler().then((handler) =>
    handler(
      new Request(`http://localhost:3000/`, {
        method: c.method,
        body,
        duplex: "half",
        headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=abc", "x-inngest-signature": "t=1&s=abc", ...headers },
      } as RequestInit),
      { params: Promise.resolve(c.params ?? {}) },
    ),
  );
}

const user = testUser("bodies");
const jobsSettings = ["INNGEST_MODE", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const;
const savedJobsSettings = Object.fromEntries(jobsSettings.map((name) => [name, envSource()[name]]));

beforeAll(async () => {
  enableBilling(testStripeSettings);
  setEnvForProcess({ INNGEST_MODE: "cloud", INNGEST_EVENT_KEY: "event-key-for-tests", INNGEST_SIGNING_KEY: "signkey-test-0123456789abcdef" });
});

afterAll(() => {
  disableBilling();
  setEnvForProcess(savedJobsSettings);
});

describe("request bodies are bounded", () => {
  for (const c of cases) {
    it(`${c.name} refuses a Content-Length over its cap with 413 without reading the body`, async () => {
      const { stream, pulled } = countingBody();
      const response = await call(c, stream, { ...user.auth, "content-length": String(c.cap + 1) });
      expect(response.status).toBe(413);
      const { error } = await response.json();
      expect(error.code).toBe("body_too_large");
      expect(error.message).toMatch(/too large: this endpoint accepts at most \d+ [KM]iB/);
      expect(pulled.calls).toBe(0);
    });

    it(`${c.name} stops reading a body without a length as soon as it passes the cap (413)`, async () => {
      const { stream, pulled } = countingBody();
      const response = await call(c, stream, user.auth);
      expect(response.status).toBe(413);
      expect((await response.json()).error.code).toBe("body_too_large");
      expect(pulled.bytes).toBeGreaterThan(c.cap);
      expect(pulled.bytes).toBeLessThanOrEqual(c.cap + 8192);
    });
  }

  it("a body at the cap is read (malformed JSON there is still a 400, as before)", async () => {
    const c = cases.find((x) => x.name === "POST /api/imports")!;
    const response = await call(c, "{".padEnd(bodyLimits.json, " "), user.auth);
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("bad_request");
  });

  it("POST /api/webhooks/stripe refuses a request without Stripe-Signature before reading its body", async () => {
    const c = cases.find((x) => x.name === "POST /api/webhooks/stripe")!;
    const { stream, pulled } = countingBody();
    const handler = await c.handler();
    const response = await handler(
      new Request("http://localhost:3000/api/webhooks/stripe", {
        method: "POST",
        body: stream,
        duplex: "half",
        headers: { "content-type": "application/json" },
      } as RequestInit),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({ code: "invalid_signature", message: "The Stripe-Signature header is missing." });
    expect(pulled.calls).toBe(0);
  });

  for (const method of ["POST", "PUT"] as const) {
    it(`${method} /api/inngest refuses a request without X-Inngest-Signature with 401 before reading its body`, async () => {
      const { [method]: handler } = await import("@/app/api/inngest/route");
      const { stream, pulled } = countingBody();
      const response = await handler(
        new Request("http://localhost:3000/api/inngest?fnId=clipcrafter-process-video&stepId=step", {
          method,
          body: stream,
          duplex: "half",
          headers: { "content-type": "application/json" },
        } as RequestInit) as never,
        undefined as never,
      );
      expect(response.status).toBe(401);
      const { error } = await response.json();
      expect(error.code).toBe("unauthorized");
      expect(error.message).toMatch(/X-Inngest-Signature/);
      expect(pulled.calls).toBe(0);
    });
  }

  it("four concurrent 100 MB bodies are refused without raising memory by more than a few MB", async () => {
    const signIn = cases.find((x) => x.name === "POST /api/auth/session")!;
    const stripe = cases.find((x) => x.name === "POST /api/webhooks/stripe")!;
    const hundredMB = 100 * 1024 * 1024;
    global.gc?.();
    const before = process.memoryUsage().rss;
    const bodies = [countingBody(), countingBody(), countingBody(64 * 1024), countingBody(64 * 1024)];
    const responses = await Promise.all([
      call(signIn, bodies[0]!.stream, { "content-length": String(hundredMB) }),
      call(stripe, bodies[1]!.stream, { "content-length": String(hundredMB) }),
      // no length: these would stream 100 MB and more if read to the end
      call(signIn, bodies[2]!.stream, {}),
      call(stripe, bodies[3]!.stream, {}),
    ]);
    const grown = process.memoryUsage().rss - before;
    expect(responses.map((r) => r.status)).toEqual([413, 413, 413, 413]);
    expect(bodies.reduce((sum, b) => sum + b.pulled.bytes, 0)).toBeLessThan(2 * 1024 * 1024);
    expect(grown).toBeLessThan(32 * 1024 * 1024);
  });
});
