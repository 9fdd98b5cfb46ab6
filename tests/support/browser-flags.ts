/**
 * Debian Chromium's headless flags for this sandbox (no sandboxing, no background
 * networking): shared by the browser tests and the upload benchmark, which drives the
 * same browser outside vitest.
 */
export const chromiumFlags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
