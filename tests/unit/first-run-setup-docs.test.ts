import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { r2CorsPolicy, s3CorsConfiguration } from "@/lib/doctor/cors-rule";

const root = process.cwd();
const readme = readFileSync(path.join(root, "README.md"), "utf8");

/** The first ```json block after `marker` in the README, parsed. */
function jsonBlockAfter(marker: string): unknown {
  const from = readme.indexOf(marker);
  expect(from, `README has "${marker}"`).toBeGreaterThanOrEqual(0);
  const block = readme.slice(from).match(/```json\n([\s\S]*?)\n```/);
  return JSON.parse(block![1]!);
}

/**
 * A light reading of supabase/config.toml: `[section]` headers and `key = value` lines
 * whose values are TOML strings, numbers, booleans or arrays of strings (all JSON-shaped).
 */
function readToml(text: string): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = { "": {} };
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = line.match(/^\[([\w.]+)\]$/);
    if (header) {
      current = header[1]!;
      sections[current] ??= {};
      continue;
    }
    const pair = line.match(/^(\w+)\s*=\s*(.+)$/);
    expect(pair, `a key = value line: ${line}`).not.toBeNull();
    sections[current]![pair![1]!] = JSON.parse(pair![2]!);
  }
  return sections;
}

describe("the README's storage setup", () => {
  const origins = ["https://clips.example.com", "http://localhost:3000"];

  it("gives R2's dashboard CORS policy exactly as the doctor checks it (content-type allowed, ETag exposed)", () => {
    const policy = jsonBlockAfter("**R2** — Dashboard");
    expect(policy).toEqual(r2CorsPolicy(origins));
    expect(policy).toEqual([expect.objectContaining({ AllowedHeaders: ["content-type"], ExposeHeaders: ["ETag"] })]);
  });

  it("gives the S3 put-bucket-cors configuration with the same rule", () => {
    expect(jsonBlockAfter("**S3** — save this as `cors.json`")).toEqual(s3CorsConfiguration(origins));
  });

  it("says that R2 aborts incomplete multipart uploads after 7 days by default", () => {
    expect(readme).toMatch(/R2 buckets abort incomplete multipart uploads \*\*after 7 days by\s+default\*\*/);
  });
});

describe("the Supabase CLI project", () => {
  const file = path.join(root, "supabase/config.toml");

  it("has supabase/config.toml with the project id and the auth settings the app relies on", () => {
    expect(existsSync(file)).toBe(true);
    const config = readToml(readFileSync(file, "utf8"));
    expect(config[""]!.project_id).toBe("clipcrafter");
    expect(config.auth).toMatchObject({
      enabled: true,
      site_url: "http://localhost:3000",
      jwt_expiry: 3600,
      enable_refresh_token_rotation: true,
      enable_anonymous_sign_ins: false,
    });
    expect(config.auth!.additional_redirect_urls).toEqual(expect.arrayContaining(["http://localhost:3000", "https://clips.example.com"]));
    expect(config["auth.email"]).toMatchObject({ enable_signup: true });
    expect(config["db.migrations"]).toMatchObject({ enabled: true });
  });

  it("keeps every migration in the CLI's <timestamp>_<name>.sql form, which supabase db push applies", () => {
    const migrations = readdirSync(path.join(root, "supabase/migrations"));
    expect(migrations.length).toBeGreaterThan(0);
    for (const name of migrations) expect(name).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/);
  });

  it("is what the README's steps use: supabase link, then supabase db push", () => {
    const link = readme.indexOf("supabase link --project-ref <project ref>");
    const push = readme.indexOf("supabase db push", link);
    expect(link).toBeGreaterThan(0);
    expect(push).toBeGreaterThan(link);
  });
});
