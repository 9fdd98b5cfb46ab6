import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { asUser } from "@/lib/db/as-user";
import {
  claimUploadForCompletion,
  getUpload,
  insertUpload,
  insertUploadProject,
  listUploadParts,
  releaseUploadClaim,
  upsertUploadParts,
} from "@/lib/db/queries/uploads";
import { randomUUID } from "node:crypto";
import { createTestUser, type TestUser } from "../../support/users";

// Written as the server writes them (people only read uploads); read back under the owner's row-level security.
async function newUpload(owner: TestUser) {
  return db().begin(async (tx) => {
    const project = await insertUploadProject(tx, { userId: owner.id, title: "q.mp4" });
    const id = randomUUID();
    return insertUpload(tx, {
      id,
      projectId: project.id,
      userId: owner.id,
      key: `uploads/${owner.id}/${id}/q.mp4`,
      filename: "q.mp4",
      contentType: "video/mp4",
      size: 30 * 1024 * 1024,
      method: "multipart",
      storageUploadId: "storage-upload-id",
      partSize: 16 * 1024 * 1024,
      partCount: 2,
      expiresAt: new Date(Date.now() + 3600_000),
    });
  });
}

describe("upload queries against Postgres", () => {
  it("lets exactly one of many simultaneous claims win", async () => {
    const owner = await createTestUser("claims");
    const upload = await newUpload(owner);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        claimUploadForCompletion(db(), {
          userId: owner.id,
          uploadId: upload.id,
          claimedAt: new Date(Date.now() + i),
          staleClaimBefore: new Date(Date.now() - 600_000),
        }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("releases a claim only for the holder of its token", async () => {
    const owner = await createTestUser("release");
    const upload = await newUpload(owner);
    const claimedAt = new Date();
    await claimUploadForCompletion(db(), { userId: owner.id, uploadId: upload.id, claimedAt, staleClaimBefore: new Date(0) });
    expect(await releaseUploadClaim(db(), { userId: owner.id, uploadId: upload.id, claimedAt: new Date(claimedAt.getTime() + 1) })).toBe(false);
    expect(await releaseUploadClaim(db(), { userId: owner.id, uploadId: upload.id, claimedAt })).toBe(true);
    expect((await getUpload(db(), { userId: owner.id, uploadId: upload.id }))?.status).toBe("uploading");
  });

  it("keeps one manifest entry per part number, the latest one", async () => {
    const owner = await createTestUser("manifest");
    const upload = await newUpload(owner);
    await db().begin(async (tx) => {
      await upsertUploadParts(tx, { userId: owner.id, uploadId: upload.id, parts: [{ partNumber: 1, etag: '"first"', size: 10 }] });
      await upsertUploadParts(tx, { userId: owner.id, uploadId: upload.id, parts: [{ partNumber: 1, etag: '"second"', size: 10 }] });
    });
    const parts = await asUser(owner.claims, (tx) => listUploadParts(tx, { userId: owner.id, uploadId: upload.id }));
    expect(parts).toEqual([{ partNumber: 1, etag: '"second"', size: 10 }]);
  });

  it("hides an upload and its manifest from another user, even asked by id and owner", async () => {
    const owner = await createTestUser("owner");
    const other = await createTestUser("other");
    const upload = await newUpload(owner);
    await upsertUploadParts(db(), { userId: owner.id, uploadId: upload.id, parts: [{ partNumber: 1, etag: '"e"', size: 1 }] });
    expect(await asUser(other.claims, (tx) => getUpload(tx, { userId: owner.id, uploadId: upload.id }))).toBeNull();
    expect(await asUser(other.claims, (tx) => listUploadParts(tx, { userId: owner.id, uploadId: upload.id }))).toEqual([]);
  });
});
