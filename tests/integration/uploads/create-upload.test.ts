import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { plans } from "@/lib/billing/plans";
import { createUpload, type CreateUploadDeps } from "@/lib/uploads/create-upload";
import { removeJobRunnerAfter } from "../../support/job-runner";
import { createTestUser, testUser, type TestUser } from "../../support/users";
import { MiB, ProcessEventProbe, projectRow, routes } from "./upload-client";

const GiB = 1024 * MiB;

async function projectCount(user: TestUser): Promise<number> {
  const [row] = await db()<{ count: number }[]>`select count(*)::int as count from projects where user_id = ${user.id}`;
  return row!.count;
}

describe("POST /api/uploads", () => {
  beforeAll(() => ProcessEventProbe.install());
  removeJobRunnerAfter("all");
  const user = testUser("create", { each: true });

  it.each([
    ["clip.mp4", "video/mp4"],
    ["clip.mov", "video/quicktime"],
    ["clip.m4v", "video/x-m4v"],
    ["clip.webm", "video/webm"],
    ["clip.mkv", "video/x-matroska"],
    ["clip.avi", "video/x-msvideo"],
  ])("accepts %s sent as %s", async (filename, contentType) => {
    const response = await routes.create(user, { filename, size: 1000, contentType });
    expect(response.status).toBe(201);
    expect(response.body.headers).toEqual({ "Content-Type": contentType });
  });

  it("signs a single PUT with Content-Type and Content-Length and a 15-minute expiry", async () => {
    const response = await routes.create(user, { filename: "talk.mp4", size: 123_456, contentType: "video/mp4" });
    const url = new URL(response.body.url);
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["content-length", "content-type", "host"]);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes("checksum"))).toEqual([]);
    expect(Date.parse(response.body.expiresAt) - Date.now()).toBeGreaterThan(890_000);
  });

  it("switches to multipart above 64 MiB with 16 MiB parts", async () => {
    const response = await routes.create(user, { filename: "big.mp4", size: 100 * MiB, contentType: "video/mp4" });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ method: "multipart", partSize: 16 * MiB, partCount: 7 });
    expect(response.body.url).toBeUndefined();
  });

  it.each([
    ["an unsupported extension", { filename: "notes.txt", size: 10, contentType: "text/plain" }, 415, "unsupported_media_type"],
    ["a non-video MIME type", { filename: "clip.mp4", size: 10, contentType: "application/pdf" }, 415, "unsupported_media_type"],
    ["an extension and type that disagree", { filename: "clip.mp4", size: 10, contentType: "video/webm" }, 415, "unsupported_media_type"],
    ["a name without extension", { filename: "clip", size: 10, contentType: "video/mp4" }, 415, "unsupported_media_type"],
    ["zero size", { filename: "empty.mp4", size: 0, contentType: "video/mp4" }, 422, "validation_failed"],
    ["a negative size", { filename: "neg.mp4", size: -5, contentType: "video/mp4" }, 422, "validation_failed"],
    ["a size over the plan's limit", { filename: "huge.mp4", size: 3 * GiB, contentType: "video/mp4" }, 413, "file_too_large"],
    ["a 300-character name", { filename: `${"a".repeat(296)}.mp4`, size: 10, contentType: "video/mp4" }, 422, "invalid_filename"],
    ["a right-to-left override", { filename: "invoice\u202Ekcp.mp4", size: 10, contentType: "video/mp4" }, 422, "invalid_filename"],
    ["a control character", { filename: "bell\u0007.mp4", size: 10, contentType: "video/mp4" }, 422, "invalid_filename"],
    ["a missing filename", { size: 10, contentType: "video/mp4" }, 422, "validation_failed"],
  ])("refuses %s and creates nothing", async (_case, body, status, code) => {
    const response = await routes.create(user, body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message.length).toBeGreaterThan(10);
    expect(await projectCount(user)).toBe(0);
  });

  it("says what the plan allows when a file is too large", async () => {
    const response = await routes.create(user, { filename: "huge.mp4", size: 3 * GiB, contentType: "video/mp4" });
    expect(response.body.error.message).toContain("up to 2 GiB");
  });

  it("keeps a path-like name as the title but stores it under a safe key in the upload's own folder", async () => {
    const response = await routes.create(user, { filename: "../../x.mp4", size: 10, contentType: "video/mp4" });
    expect(response.status).toBe(201);
    expect(response.body.key).toBe(`uploads/${user.id}/${response.body.uploadId}/x.mp4`);
    expect((await projectRow(response.body.projectId)).title).toBe("../../x.mp4");
  });

  it("keeps markup in the title verbatim (pages escape it) and out of the key", async () => {
    const response = await routes.create(user, { filename: "<script>.mp4", size: 10, contentType: "video/mp4" });
    expect(response.status).toBe(201);
    expect(response.body.key).toBe(`uploads/${user.id}/${response.body.uploadId}/script.mp4`);
    expect((await projectRow(response.body.projectId)).title).toBe("<script>.mp4");
  });

  it("accepts a 255-character name", async () => {
    const response = await routes.create(user, { filename: `${"b".repeat(251)}.mp4`, size: 10, contentType: "video/mp4" });
    expect(response.status).toBe(201);
  });

  it("refuses the upload after the plan's monthly videos with 402 saying what to do", async () => {
    const limit = plans.free.videosPerMonth;
    for (let i = 0; i < limit; i++) {
      expect((await routes.create(user, { filename: `v${i}.mp4`, size: 10, contentType: "video/mp4" })).status).toBe(201);
    }
    const response = await routes.create(user, { filename: "one-more.mp4", size: 10, contentType: "video/mp4" });
    expect(response.status).toBe(402);
    expect(response.body.error.code).toBe("quota_exceeded");
    expect(response.body.error.message).toMatch(/Upgrade/);
    expect(await projectCount(user)).toBe(limit);
  });

  it("creates the project in uploading with its timeline before answering", async () => {
    const response = await routes.create(user, { filename: "rows.mp4", size: 2048, contentType: "video/mp4" });
    const [upload] = await db()<{ status: string; size: number; method: string; projectId: string }[]>`
      select status, size, method, project_id as "projectId" from uploads where id = ${response.body.uploadId}`;
    expect(upload).toEqual({ status: "uploading", size: 2048, method: "single", projectId: response.body.projectId });
    expect((await projectRow(response.body.projectId)).status).toBe("uploading");
  });

  it("answers 401 without a token", async () => {
    const response = await routes.create({ ...user, auth: { authorization: "" } }, { filename: "a.mp4", size: 1, contentType: "video/mp4" });
    expect(response.status).toBe(401);
  });
});

describe("createUpload and storage", () => {
  function recordingStorage(): CreateUploadDeps & { started: string[]; aborted: [string, string][] } {
    const started: string[] = [];
    const aborted: [string, string][] = [];
    return {
      started,
      aborted,
      now: () => new Date(),
      createMultipart: async (key) => {
        started.push(key);
        return `storage-upload-${started.length}`;
      },
      abortMultipart: async (key, storageUploadId) => {
        aborted.push([key, storageUploadId]);
      },
    };
  }

  it("does not start a multipart upload for a request the plan refuses", async () => {
    const user = await createTestUser("create-refused");
    const storage = recordingStorage();
    const refused = createUpload({ claims: user.claims, filename: "huge.mp4", size: 3 * GiB, contentType: "video/mp4" }, storage);
    await expect(refused).rejects.toMatchObject({ code: "file_too_large" });
    expect(storage.started).toEqual([]);
  });

  it("aborts the multipart upload it started when the plan's last slot is taken before its rows are written", async () => {
    const user = await createTestUser("create-raced");
    const limit = plans.free.videosPerMonth;
    for (let i = 0; i < limit - 1; i++) {
      expect((await routes.create(user, { filename: `v${i}.mp4`, size: 10, contentType: "video/mp4" })).status).toBe(201);
    }
    const storage = recordingStorage();
    const createMultipart = storage.createMultipart;
    storage.createMultipart = async (key, contentType) => {
      const id = await createMultipart(key, contentType);
      // Another request takes the last slot while storage answers this one.
      expect((await routes.create(user, { filename: "other.mp4", size: 10, contentType: "video/mp4" })).status).toBe(201);
      return id;
    };
    const raced = createUpload({ claims: user.claims, filename: "big.mp4", size: 100 * MiB, contentType: "video/mp4" }, storage);
    await expect(raced).rejects.toMatchObject({ code: "quota_exceeded" });
    expect(storage.aborted).toEqual([[storage.started[0], "storage-upload-1"]]);
    expect(await projectCount(user)).toBe(limit);
  });
});
