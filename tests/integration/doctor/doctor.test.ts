import { chmod, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import S3rver from "s3rver";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { env, envSource, setEnvForProcess } from "@/lib/env";
import { checkMultipartAbortRule, checkStorage, R2_DEFAULT_RULE_ID } from "@/lib/doctor/check-storage";
import { CORS_ALLOWED_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, CORS_METHODS, r2CorsPolicyJson } from "@/lib/doctor/cors-rule";
import { checkDatabase } from "@/lib/doctor/check-database";
import { mediaToolsInstallHint } from "@/lib/media/install-hint";
import { startLocalStorage, type LocalStorage } from "@/lib/local-stack/storage-server";
import { freePort } from "@/lib/local-stack/ports";

describe("npm run doctor's checks", () => {
  it("pass against the local storage server, warning about the lifecycle rule it cannot read", async () => {
    const results = await checkStorage("http://localhost:3000");
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName["storage: credentials and bucket"]?.status).toBe("pass");
    expect(byName["storage: presigned PUT, HEAD, delete"]?.status).toBe("pass");
    expect(byName["storage: CORS preflight for PUT"]?.status).toBe("pass");
    const lifecycle = byName["storage: lifecycle rule for incomplete multipart uploads"];
    expect(lifecycle).toMatchObject({ status: "warn", detail: expect.stringContaining("AbortIncompleteMultipartUpload") });
    // s3rver has no lifecycle API: the doctor says it cannot tell, not that no rule exists.
    expect(lifecycle?.detail).toMatch(/^cannot read the bucket's lifecycle rules/);
    expect(lifecycle?.detail).toContain("R2 buckets abort them after 7 days by default");
  });

  it("name a missing ffmpeg with what to install here, and fail", async () => {
    const run = await promisify(execFile)(path.join(process.cwd(), "node_modules/.bin/tsx"), ["cli/doctor.ts"], {
      env: { PATH: envSource().PATH, ...inject("serviceEnv"), FFMPEG_PATH: "/nonexistent/ffmpeg" } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
    }).then(
      ({ stdout }) => ({ status: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ status: error.code ?? -1, stdout: error.stdout ?? "" }),
    );
    expect(run.status).toBe(1);
    const line = run.stdout.split("\n").find((l) => l.includes("media: ffmpeg and ffprobe"));
    expect(line).toMatch(/^FAIL {2}media: ffmpeg and ffprobe: ffmpeg at \/nonexistent\/ffmpeg \(from FFMPEG_PATH\) does not exist\./);
    expect(line).toContain(`Install: ${mediaToolsInstallHint()}`);
  });

  const runDoctor = (env: Record<string, string>) =>
    promisify(execFile)(path.join(process.cwd(), "node_modules/.bin/tsx"), ["cli/doctor.ts"], {
      env: { ...inject("serviceEnv"), ...env } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
    }).then(
      ({ stdout }) => ({ status: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ status: error.code ?? -1, stdout: error.stdout ?? "" }),
    );
  const mediaLine = (stdout: string) => stdout.split("\n").find((l) => l.includes("media: ffmpeg and ffprobe"));

  it("name ffmpeg and ffprobe as not found when neither is on PATH, with what to install here, and fail", async () => {
    // A PATH with this Node and nothing else, as on a machine where ffmpeg was never installed.
    const bare = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-bare-path-"));
    try {
      await symlink(process.execPath, path.join(bare, "node"));
      const run = await runDoctor({ PATH: bare });
      expect(run.status).toBe(1);
      const line = mediaLine(run.stdout);
      expect(line).toMatch(
        /^FAIL {2}media: ffmpeg and ffprobe: ffmpeg not found \(looked in PATH and FFMPEG_PATH\); ffprobe not found \(looked in PATH and FFPROBE_PATH\)\. Videos cannot be processed until this is fixed\./,
      );
      expect(line).toContain(`Install: ${mediaToolsInstallHint()}`);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it("name the encoders an ffmpeg build lacks, and fail", async () => {
    // An ffmpeg that runs and reports a version but was built without libx264 and aac.
    const dir = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-thin-ffmpeg-"));
    try {
      const thin = path.join(dir, "ffmpeg");
      await writeFile(
        thin,
        [
          "#!/bin/sh",
          'case "$*" in',
          '  *-encoders*) printf " V..... mjpeg                MJPEG (Motion JPEG)\\n A..... libopus              libopus Opus\\n" ;;',
          '  *) echo "ffmpeg version 7.1-thin Copyright (c) the FFmpeg developers" ;;',
          "esac",
          "",
        ].join("\n"),
      );
      await chmod(thin, 0o755);
      const run = await runDoctor({ PATH: envSource().PATH ?? "", FFMPEG_PATH: thin });
      expect(run.status).toBe(1);
      const line = mediaLine(run.stdout);
      expect(line).toMatch(
        new RegExp(`^FAIL {2}media: ffmpeg and ffprobe: ffmpeg at ${thin} lacks the encoder\\(s\\) libx264, aac\\. Videos cannot be processed`),
      );
      expect(line).toContain(`Install: ${mediaToolsInstallHint()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("pass the media check where ffmpeg and ffprobe have the pipeline's encoders", async () => {
    const { checkMedia } = await import("@/lib/doctor/check-media");
    const result = await checkMedia();
    expect(result.status).toBe("pass");
    expect(result.detail).toMatch(/^ffmpeg \S+ \(.+\), ffprobe \S+ \(.+\); encoders libx264, aac, mjpeg$/);
  });

  it("pass for a migrated database", async () => {
    await expect(checkDatabase(env().DATABASE_URL)).resolves.toMatchObject({ status: "pass" });
  });

  describe("against a bucket without CORS", () => {
    let bare: LocalStorage;
    let dir: string;
    let saved: Record<string, string>;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-nocors-"));
      bare = await startLocalStorage({ dataDir: dir, port: await freePort(), bucket: "no-cors", allowedOrigins: [], cors: false });
      saved = { R2_ENDPOINT: env().R2_ENDPOINT, R2_BUCKET: env().R2_BUCKET };
      setEnvForProcess({ R2_ENDPOINT: bare.endpoint, R2_BUCKET: bare.bucket });
    });
    afterAll(async () => {
      setEnvForProcess(saved);
      await bare?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    // Asynchronous on purpose: the bare storage server runs in this process.
    it("make the command print FAIL lines and exit non-zero, and pass against the configured bucket", async () => {
      const run = (overrides: Record<string, string>) =>
        promisify(execFile)(path.join(process.cwd(), "node_modules/.bin/tsx"), ["cli/doctor.ts"], {
          env: { PATH: envSource().PATH, ...inject("serviceEnv"), ...overrides } as unknown as NodeJS.ProcessEnv,
          encoding: "utf8",
        }).then(
          ({ stdout }) => ({ status: 0, stdout }),
          (error: { code?: number; stdout?: string }) => ({ status: error.code ?? -1, stdout: error.stdout ?? "" }),
        );
      const bad = await run({ R2_ENDPOINT: bare.endpoint, R2_BUCKET: bare.bucket });
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/^FAIL {2}storage: /m);
      const good = await run({});
      expect(good.stdout).toMatch(/^PASS {2}storage: presigned PUT, HEAD, delete/m);
      expect(good.stdout).toMatch(/^PASS {2}database: reachable and migrated/m);
      expect(good.status).toBe(0);
    });

    it("fail, saying which CORS rule to add", async () => {
      const results = await checkStorage("http://localhost:3000");
      const failures = results.filter((r) => r.status === "fail");
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.map((f) => f.detail).join("\n")).toMatch(/CORS rule|ETag/);
    });
  });
});

/** An S3-protocol bucket (s3rver) with the given CORS rule, pointed at for the duration of a describe block. */
function useBucketWithCors(name: string, corsXml: string) {
  let server: S3rver;
  let dir: string;
  let saved: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `clipcrafter-${name}-`));
    const port = await freePort();
    server = new S3rver({ address: "127.0.0.1", port, directory: dir, silent: true, configureBuckets: [{ name, configs: [corsXml] }] });
    await server.run();
    saved = { R2_ENDPOINT: env().R2_ENDPOINT, R2_BUCKET: env().R2_BUCKET };
    setEnvForProcess({ R2_ENDPOINT: `http://127.0.0.1:${port}`, R2_BUCKET: name });
  });
  afterAll(async () => {
    setEnvForProcess(saved);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });
}

function corsXml(rule: { origins: string[]; methods: readonly string[]; headers: readonly string[]; expose: readonly string[] }): string {
  const tags = (tag: string, values: readonly string[]) => values.map((v) => `<${tag}>${v}</${tag}>`).join("");
  return `<CORSConfiguration><CORSRule>${tags("AllowedOrigin", rule.origins)}${tags("AllowedMethod", rule.methods)}${tags("AllowedHeader", rule.headers)}${tags("ExposeHeader", rule.expose)}<MaxAgeSeconds>${CORS_MAX_AGE_SECONDS}</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
}

const appOrigin = "http://localhost:3000";

describe("the CORS rule the README gives", () => {
  useBucketWithCors(
    "readme-cors",
    corsXml({ origins: [appOrigin], methods: CORS_METHODS, headers: CORS_ALLOWED_HEADERS, expose: CORS_EXPOSE_HEADERS }),
  );

  it("passes the doctor's PUT and preflight checks as it stands", async () => {
    const results = await checkStorage(appOrigin);
    const byName = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(byName["storage: presigned PUT, HEAD, delete"]).toBe("pass");
    expect(byName["storage: CORS preflight for PUT"]).toBe("pass");
  });
});

describe("a CORS rule that allows PUT but no request headers (the README's earlier rule)", () => {
  useBucketWithCors("no-headers-cors", corsXml({ origins: [appOrigin], methods: CORS_METHODS, headers: [], expose: CORS_EXPOSE_HEADERS }));

  it("fails the preflight check, printing the exact rule to set for R2 and for S3", async () => {
    const results = await checkStorage(appOrigin);
    const preflight = results.find((r) => r.name === "storage: CORS preflight for PUT")!;
    expect(preflight.status).toBe("fail");
    expect(preflight.detail).toContain("content-type");
    expect(preflight.detail).toContain(r2CorsPolicyJson([appOrigin]).replace(/^/gm, "    "));
    expect(preflight.detail).toContain("aws s3api put-bucket-cors");
  });
});

/**
 * A fake of R2's S3 API for GetBucketLifecycleConfiguration only: it answers `GET
 * /<bucket>?lifecycle` with the XML it is given (R2 reports its default rule like any
 * other), or with S3's 404 for a bucket without rules. It is not R2: no signatures checked.
 */
async function fakeR2LifecycleApi(answer: { status: number; xml: string }): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const lifecycle = req.method === "GET" && new URL(req.url ?? "/", "http://x").searchParams.has("lifecycle");
    res.writeHead(lifecycle ? answer.status : 501, { "content-type": "application/xml" });
    res.end(lifecycle ? answer.xml : "<Error><Code>NotImplemented</Code></Error>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the lifecycle rule in force", () => {
  let saved: Record<string, string>;
  beforeAll(() => {
    saved = { R2_ENDPOINT: env().R2_ENDPOINT, R2_BUCKET: env().R2_BUCKET };
  });
  afterAll(() => setEnvForProcess(saved));

  async function checkAgainst(answer: { status: number; xml: string }) {
    const fake = await fakeR2LifecycleApi(answer);
    setEnvForProcess({ R2_ENDPOINT: fake.endpoint, R2_BUCKET: "videos" });
    try {
      return await checkMultipartAbortRule();
    } finally {
      await fake.stop();
    }
  }

  it("is reported, not warned about, when it is R2's default rule", async () => {
    const result = await checkAgainst({
      status: 200,
      xml: `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>${R2_DEFAULT_RULE_ID}</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`,
    });
    expect(result).toEqual({
      name: "storage: lifecycle rule for incomplete multipart uploads",
      status: "pass",
      detail: `R2's default rule "${R2_DEFAULT_RULE_ID}" aborts incomplete multipart uploads after 7 days`,
    });
  });

  it("names a rule of the bucket's own and its days", async () => {
    const result = await checkAgainst({
      status: 200,
      xml: `<LifecycleConfiguration><Rule><ID>abort-incomplete-multipart</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`,
    });
    expect(result).toMatchObject({ status: "pass", detail: `rule "abort-incomplete-multipart" aborts incomplete multipart uploads after 2 days` });
  });

  it("warns when the only such rule covers part of the bucket", async () => {
    const result = await checkAgainst({
      status: 200,
      xml: `<LifecycleConfiguration><Rule><ID>logs-only</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`,
    });
    expect(result).toMatchObject({ status: "warn", detail: expect.stringContaining(`"logs-only" (prefix "logs/")`) });
  });

  it("warns with the rule to add when the bucket has none (S3's NoSuchLifecycleConfiguration)", async () => {
    const result = await checkAgainst({
      status: 404,
      xml: `<Error><Code>NoSuchLifecycleConfiguration</Code><Message>The lifecycle configuration does not exist</Message></Error>`,
    });
    expect(result).toMatchObject({ status: "warn", detail: expect.stringMatching(/^no rule aborts incomplete multipart uploads\. Add a lifecycle rule/) });
  });
});
