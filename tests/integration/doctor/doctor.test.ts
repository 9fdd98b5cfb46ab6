import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { env, processEnvironment, setEnvForProcess } from "@/lib/env";
import { checkStorage } from "@/lib/doctor/check-storage";
import { checkDatabase } from "@/lib/doctor/check-database";
import { startLocalStorage, type LocalStorage } from "@/lib/local-stack/storage-server";
import { freePort } from "@/lib/local-stack/ports";

describe("npm run doctor's checks", () => {
  it("pass against the local storage server, warning about the lifecycle rule it cannot read", async () => {
    const results = await checkStorage("http://localhost:3000");
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName["storage: credentials and bucket"]?.status).toBe("pass");
    expect(byName["storage: presigned PUT, HEAD, delete"]?.status).toBe("pass");
    expect(byName["storage: CORS preflight for PUT"]?.status).toBe("pass");
    expect(byName["storage: lifecycle rule for incomplete multipart uploads"]).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("AbortIncompleteMultipartUpload"),
    });
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
        promisify(execFile)(path.join(process.cwd(), "node_modules/.bin/tsx"), ["lib/cli/doctor.ts"], {
          env: { PATH: processEnvironment().PATH, ...inject("serviceEnv"), ...overrides } as unknown as NodeJS.ProcessEnv,
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
