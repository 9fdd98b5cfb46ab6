import { describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import nextConfig from "@/next.config";
import {
  newNonce,
  pageContentSecurityPolicy,
  securityHeadersFor,
  staticSecurityHeaders,
  storageOrigins,
  strictTransportSecurity,
  type PolicySettings,
} from "@/lib/security/headers";
import { policySettings } from "@/lib/security/policy-settings";
import { proxy } from "@/proxy";
import { useUnitEnv } from "../support/unit-env";
import { startFakeSupabaseAuth } from "../support/fake-supabase-auth";
import { createSupabaseServerClient } from "@/lib/auth/supabase-server";

const local: PolicySettings = {
  appUrl: "http://localhost:3000",
  storageOrigins: ["http://127.0.0.1:4568"],
  development: false,
};
const hosted: PolicySettings = {
  appUrl: "https://clips.example.com",
  storageOrigins: storageOrigins("https://acct.r2.cloudflarestorage.com", "clips", false),
  supabaseOrigin: "https://abc.supabase.co",
  development: false,
};

const directive = (policy: string, name: string) =>
  policy
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.split(" ")[0] === name);
const header = (pairs: { key: string; value: string }[], key: string) => pairs.find((p) => p.key.toLowerCase() === key.toLowerCase())?.value;

describe("security headers", () => {
  it("sends HSTS for two years with subdomains when APP_URL is https, and none over http", () => {
    expect(strictTransportSecurity("https://clips.example.com")).toBe("max-age=63072000; includeSubDomains");
    expect(strictTransportSecurity("http://localhost:3000")).toBeUndefined();
    expect(header(securityHeadersFor("/projects", hosted).response, "Strict-Transport-Security")).toBe("max-age=63072000; includeSubDomains");
    expect(header(securityHeadersFor("/api/uploads", hosted).response, "Strict-Transport-Security")).toBe("max-age=63072000; includeSubDomains");
    expect(header(securityHeadersFor("/projects", local).response, "Strict-Transport-Security")).toBeUndefined();
    expect(header(staticSecurityHeaders("https://clips.example.com"), "Strict-Transport-Security")).toBe("max-age=63072000; includeSubDomains");
    expect(header(staticSecurityHeaders("http://localhost:3000"), "Strict-Transport-Security")).toBeUndefined();
  });

  it("lets a page run only scripts with this response's nonce and load media, images and uploads from storage", () => {
    const policy = pageContentSecurityPolicy("abc123==", hosted);
    expect(directive(policy, "script-src")).toBe("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(directive(policy, "media-src")).toContain("https://acct.r2.cloudflarestorage.com https://clips.acct.r2.cloudflarestorage.com");
    expect(directive(policy, "img-src")).toContain("https://clips.acct.r2.cloudflarestorage.com");
    expect(directive(policy, "connect-src")).toBe(
      "connect-src 'self' https://acct.r2.cloudflarestorage.com https://clips.acct.r2.cloudflarestorage.com https://abc.supabase.co",
    );
    for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "upgrade-insecure-requests"]) {
      expect(policy.split("; ")).toContain(d);
    }
    expect(policy).not.toContain("unsafe-inline");
    expect(policy).not.toContain("unsafe-eval");
  });

  it("allows eval and inline styles only in development, and upgrades requests only when the app is on https", () => {
    const development = pageContentSecurityPolicy("n", { ...local, development: true });
    expect(directive(development, "script-src")).toBe("script-src 'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval'");
    expect(directive(development, "style-src")).toBe("style-src 'self' 'unsafe-inline'");
    expect(directive(pageContentSecurityPolicy("n", local), "style-src")).toBe("style-src 'self' 'nonce-n'");
    expect(pageContentSecurityPolicy("n", local)).not.toContain("unsafe-eval");
    expect(pageContentSecurityPolicy("n", local)).not.toContain("upgrade-insecure-requests");
  });

  it("uses the storage endpoint's origin with path-style addressing and adds the bucket host otherwise", () => {
    expect(storageOrigins("http://127.0.0.1:4568/", "clips", true)).toEqual(["http://127.0.0.1:4568"]);
    expect(storageOrigins("https://s3.eu-west-1.amazonaws.com", "clips", false)).toEqual([
      "https://s3.eu-west-1.amazonaws.com",
      "https://clips.s3.eu-west-1.amazonaws.com",
    ]);
  });

  it("gives API routes a policy that loads nothing and hands no nonce to them", () => {
    const api = securityHeadersFor("/api/projects", local);
    expect(header(api.response, "Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.request).toEqual([]);
  });

  it("makes a new nonce for every page and hands the page's policy to the render", () => {
    const first = securityHeadersFor("/upload", local);
    const second = securityHeadersFor("/upload", local);
    const nonce = header(first.request, "x-nonce")!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(header(second.request, "x-nonce")).not.toBe(nonce);
    expect(header(first.request, "Content-Security-Policy")).toBe(header(first.response, "Content-Security-Policy"));
    expect(header(first.response, "Content-Security-Policy")).toContain(`'nonce-${nonce}'`);
    expect(newNonce((bytes) => bytes.fill(255))).toBe("/////////////////////w==");
  });

  it("next.config.ts sends nosniff, a referrer policy and no framing on every path, and the JSON policy on API paths", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*")!;
    expect(header(all.headers, "X-Content-Type-Options")).toBe("nosniff");
    expect(header(all.headers, "Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(header(all.headers, "X-Frame-Options")).toBe("DENY");
    const api = rules.find((r) => r.source === "/api/:path*")!;
    expect(header(api.headers, "Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("proxy.ts forwards the page's nonce policy to the render and sets it on the response", async () => {
    useUnitEnv();
    const response = await proxy(new NextRequest("http://localhost:3000/projects"));
    const policy = response.headers.get("content-security-policy")!;
    expect(policy).toBe(pageContentSecurityPolicy(/'nonce-([^']+)'/.exec(policy)![1]!, policySettings()));
    // NextResponse.next({ request: { headers } }) is how a proxy hands request headers to the render.
    expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(response.headers.get("x-middleware-request-x-nonce")).toBe(/'nonce-([^']+)'/.exec(policy)![1]);
  });

  it("proxy.ts sends HSTS on pages and API routes when the running app's APP_URL is https", async () => {
    useUnitEnv({ APP_URL: "https://clips.example.com" });
    for (const path of ["/upload", "/api/uploads"]) {
      const response = await proxy(new NextRequest(`https://clips.example.com${path}`));
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=63072000; includeSubDomains");
    }
    useUnitEnv({ APP_URL: "http://localhost:3000" });
    expect((await proxy(new NextRequest("http://localhost:3000/upload"))).headers.get("strict-transport-security")).toBeNull();
  });

  it("proxy.ts keeps a refreshed Supabase session's cookies beside the nonce, for the response and the render", async () => {
    // Supabase Auth is a fake at the HTTP boundary (tests/support/fake-supabase-auth.ts).
    const fake = await startFakeSupabaseAuth({ accessTokenSeconds: 60 });
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      useUnitEnv({ AUTH_MODE: "", SUPABASE_URL: fake.url, SUPABASE_ANON_KEY: fake.anonKey, SUPABASE_JWT_SECRET: "" });
      fake.createUser("headers@example.com", "correct horse battery staple", "0b9d2c4e-1f3a-4b5c-8d7e-6f5a4b3c2d1e");
      const cookies = new Map<string, string>();
      const supabase = createSupabaseServerClient([], (set) => set.forEach(({ name, value }) => cookies.set(name, value)));
      expect((await supabase.auth.signInWithPassword({ email: "headers@example.com", password: "correct horse battery staple" })).error).toBeNull();
      const [name, signedIn] = [...cookies][0]!;
      vi.setSystemTime(Date.now() + 45_000); // 15 s left: the proxy refreshes

      const cookie = `${name}=${encodeURIComponent(signedIn!)}`;
      const response = await proxy(new NextRequest("http://localhost:3000/projects", { headers: { cookie } }));
      const refreshed = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
      expect(refreshed).toBeDefined();
      expect(refreshed).not.toContain(encodeURIComponent(signedIn!));
      // The page renders with the new session and the nonce policy.
      expect(response.headers.get("x-middleware-request-cookie")).toBe(refreshed!.split(";")[0]);
      const policy = response.headers.get("content-security-policy")!;
      expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
      expect(policy).toContain(`connect-src 'self' https://account-id.r2.cloudflarestorage.com https://clipcrafter-unit.account-id.r2.cloudflarestorage.com ${new URL(fake.url).origin}`);
    } finally {
      vi.useRealTimers();
      useUnitEnv();
      await fake.stop();
    }
  });
});
