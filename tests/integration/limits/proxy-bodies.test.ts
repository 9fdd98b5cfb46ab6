import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import { largestProxiedBodyLimit } from "@/lib/api/read-body";
import nextConfig from "@/next.config";
import { config as proxyConfig } from "@/proxy";

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
});
