import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { largestProxiedBodyLimit } from "@/lib/api/read-body";
import { apiContentSecurityPolicy } from "@/lib/security/headers";
import nextConfig from "@/next.config";
import { proxy, config as proxyConfig } from "@/proxy";

// In a real server, Next.js reads a request's whole body before the route runs whenever
// proxy.ts runs for it (it copies the body for the proxy), holding up to
// proxyClientMaxBodySize of it. So the routes that never carry a Supabase session skip
// proxy.ts, and what Next.js holds for the others is just over the largest cap among them.

const matches = (path: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url: path, nextConfig });

describe("bodies in front of the routes", () => {
  it("proxy.ts does not run for routes that refuse a body before reading it and carry no session", () => {
    for (const path of ["/api/webhooks/stripe", "/api/inngest", "/api/auth/dev-login"]) {
      expect(matches(path), path).toBe(false);
    }
  });

  it("proxy.ts still runs for pages and the routes that read the session", () => {
    for (const path of ["/", "/projects", "/api/uploads", "/api/projects/events", "/api/auth/session", "/api/webhooks/endpoints"]) {
      expect(matches(path), path).toBe(true);
    }
  });

  it("Next.js holds no more of a proxied body than one byte over the largest cap of a route behind proxy.ts", () => {
    const held = nextConfig.experimental?.proxyClientMaxBodySize;
    expect(held).toBe(largestProxiedBodyLimit + 1);
  });

  /** A POST through proxy.ts with a body that records whether anything was pulled from it. */
  async function throughProxy(path: string, contentLength: number | "unknown") {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(8192));
        },
      },
      { highWaterMark: 0 },
    );
    const response = await proxy(
      new NextRequest(`http://localhost:3000${path}`, {
        method: "POST",
        body,
        duplex: "half",
        headers: {
          "content-type": "application/json",
          ...(contentLength === "unknown" ? { "transfer-encoding": "chunked" } : { "content-length": String(contentLength) }),
        },
      } as ConstructorParameters<typeof NextRequest>[1]),
    );
    return { response, pulled: () => pulled };
  }

  it("proxy.ts answers an API request declared over the largest route cap with the routes' 413, before it goes on to the route", async () => {
    for (const path of ["/api/uploads", "/api/uploads/x/complete", "/api/auth/session"]) {
      const { response, pulled } = await throughProxy(path, largestProxiedBodyLimit + 1);
      expect(response.status, path).toBe(413);
      // Not forwarded: Next.js marks a response that lets the request go on with this header.
      expect(response.headers.get("x-middleware-next"), path).toBeNull();
      const { error } = await response.json();
      expect(error.code).toBe("body_too_large");
      expect(error.message).toMatch(/too large: this endpoint accepts at most 1 MiB/);
      expect(response.headers.get("content-security-policy")).toBe(apiContentSecurityPolicy);
      expect(pulled(), path).toBe(0);
    }
  });

  it("proxy.ts refuses an API body of unknown length (chunked) with 411, before it goes on: past proxyClientMaxBodySize Next.js would hand the route a cut-off body", async () => {
    for (const path of ["/api/uploads/x/complete", "/api/projects/x"]) {
      const { response, pulled } = await throughProxy(path, "unknown");
      expect(response.status, path).toBe(411);
      expect(response.headers.get("x-middleware-next"), path).toBeNull();
      const { error } = await response.json();
      expect(error.code).toBe("length_required");
      expect(error.message).toMatch(/Send the request body with a Content-Length header/);
      expect(pulled(), path).toBe(0);
    }
  });

  it("proxy.ts lets an API body within the largest route cap, and a page's request, go on (the route applies its own cap)", async () => {
    for (const [path, length] of [["/api/uploads/x/complete", largestProxiedBodyLimit], ["/projects", largestProxiedBodyLimit + 1]] as const) {
      const { response } = await throughProxy(path, length);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("x-middleware-next"), path).toBe("1");
    }
  });
});
