import { createHash } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { getObjectStream, headObject } from "@/lib/storage/objects";
import { removeJobRunnerAfter } from "../../support/job-runner";
import { testUser } from "../../support/users";
import {
  MiB,
  mp4Bytes,
  ProcessEventProbe,
  projectRow,
  putToStorage,
  routes,
  uploadParts,
  uploadRow,
  withSmallMultipartThresholds,
} from "./upload-client";

const partSize = 5 * MiB;
// Three parts: 5 MiB, 5 MiB and a short last one.
const fileSize = 2 * partSize + 12_345;

async function storedSha256(key: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of await getObjectStream(key)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("multipart upload through the routes", () => {
  withSmallMultipartThresholds();
  removeJobRunnerAfter("all");
  const user = testUser("multipart", { each: true });
  let probe: ProcessEventProbe;
  let data: Buffer;

  beforeAll(() => {
    data = mp4Bytes(fileSize);
  });
  beforeEach(() => {
    probe = ProcessEventProbe.install();
  });

  async function createMultipart(filename = "lecture.mp4") {
    const created = await routes.create(user, { filename, size: fileSize, contentType: "video/mp4" });
    expect(created.status).toBe(201);
    return created.body as { uploadId: string; projectId: string; key: string; partSize: number; partCount: number };
  }

  it("plans equal fixed-size parts and signs each part URL with its exact length", async () => {
    const upload = await createMultipart();
    expect(upload).toMatchObject({ partSize, partCount: 3 });
    const signed = await routes.signParts(user, upload.uploadId, [1, 3]);
    expect(signed.status).toBe(200);
    expect(signed.body.parts.map((p: { partNumber: number; size: number }) => [p.partNumber, p.size])).toEqual([
      [1, partSize],
      [3, 12_345],
    ]);
    const url = new URL(signed.body.parts[1].url);
    expect(url.searchParams.get("partNumber")).toBe("3");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toContain("content-length");
    expect(Date.parse(signed.body.expiresAt) - Date.now()).toBeGreaterThan(890_000);
  });

  it("resumes: some parts, status, the rest, then completes into the exact original bytes", async () => {
    const upload = await createMultipart();
    await uploadParts(user, upload.uploadId, data, partSize, [1]);

    const midway = await routes.status(user, upload.uploadId);
    expect(midway.status).toBe(200);
    expect(midway.body).toMatchObject({
      status: "uploading",
      method: "multipart",
      size: fileSize,
      partSize,
      partCount: 3,
      receivedParts: [1],
      receivedBytes: partSize,
      nextPartNumber: 2,
      complete: false,
    });

    await uploadParts(user, upload.uploadId, data, partSize, [3, 2]);
    const allParts = await routes.status(user, upload.uploadId);
    // Every part received is still not a complete upload: only completion says so.
    expect(allParts.body).toMatchObject({ receivedParts: [1, 2, 3], receivedBytes: fileSize, nextPartNumber: null, complete: false });

    const completed = await routes.complete(user, upload.uploadId);
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({ projectId: upload.projectId, status: "queued" });
    expect((await routes.status(user, upload.uploadId)).body).toMatchObject({ status: "completed", complete: true });
    expect((await headObject(upload.key))?.size).toBe(fileSize);
    expect(await storedSha256(upload.key)).toBe(sha256(data));
    expect(probe.sent.map((e) => e.id)).toEqual([`process-${upload.projectId}`]);
  });

  it("replaces a part's manifest entry when the part is uploaded again, and assembles the replacement", async () => {
    const upload = await createMultipart();
    await uploadParts(user, upload.uploadId, data, partSize, [1, 3]);
    const wrong = Buffer.alloc(partSize, 0x61);
    const [signed] = (await routes.signParts(user, upload.uploadId, [2])).body.parts;
    const firstPut = await putToStorage(signed.url, wrong);
    await routes.recordPart(user, upload.uploadId, 2, { etag: firstPut.headers.get("etag"), size: partSize });

    const etags = await uploadParts(user, upload.uploadId, data, partSize, [2]);
    expect(etags.get(2)).not.toBe(firstPut.headers.get("etag"));
    const status = await routes.status(user, upload.uploadId);
    expect(status.body).toMatchObject({ receivedParts: [1, 2, 3], receivedBytes: fileSize });

    expect((await routes.complete(user, upload.uploadId)).body.status).toBe("queued");
    expect(await storedSha256(upload.key)).toBe(sha256(data));
  });

  it("records a batch of parts in one call, and refuses the whole batch when one part has the wrong size", async () => {
    const upload = await createMultipart();
    const signed = await routes.signParts(user, upload.uploadId, [1, 2, 3]);
    const parts: { partNumber: number; etag: string; size: number }[] = [];
    for (const part of signed.body.parts as { partNumber: number; url: string }[]) {
      const chunk = data.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize);
      const put = await putToStorage(part.url, chunk);
      parts.push({ partNumber: part.partNumber, etag: put.headers.get("etag")!, size: chunk.length });
    }
    const refused = await routes.recordParts(user, upload.uploadId, { parts: [parts[0], { ...parts[1], size: 100 }] });
    expect(refused.status).toBe(422);
    expect((await routes.status(user, upload.uploadId)).body.receivedParts).toEqual([]);

    const recorded = await routes.recordParts(user, upload.uploadId, { parts });
    expect(recorded.status).toBe(200);
    expect(recorded.body.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3]);
    expect((await routes.status(user, upload.uploadId)).body).toMatchObject({ receivedParts: [1, 2, 3], receivedBytes: fileSize });
    expect((await routes.complete(user, upload.uploadId)).body.status).toBe("queued");
    expect(await storedSha256(upload.key)).toBe(sha256(data));
  });

  it("answers the create call with signed URLs for the first parts, enough to upload and complete without signing more", async () => {
    const created = await routes.create(user, { filename: "talk.mp4", size: fileSize, contentType: "video/mp4" });
    const { uploadId, parts: firstParts, partsExpiresAt } = created.body as {
      uploadId: string;
      parts: { partNumber: number; url: string; size: number }[];
      partsExpiresAt: string;
    };
    expect(firstParts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, partSize],
      [2, partSize],
      [3, 12_345],
    ]);
    expect(Date.parse(partsExpiresAt) - Date.now()).toBeGreaterThan(890_000);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of firstParts) {
      const put = await putToStorage(part.url, data.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize));
      expect(put.status).toBe(200);
      parts.push({ partNumber: part.partNumber, etag: put.headers.get("etag")! });
    }
    expect((await routes.complete(user, uploadId, { parts })).body.status).toBe("queued");
    expect(await storedSha256(created.body.key as string)).toBe(sha256(data));
  });

  it("completes from the parts listed in the request when the manifest is empty", async () => {
    const upload = await createMultipart();
    const signed = await routes.signParts(user, upload.uploadId, [1, 2, 3]);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of signed.body.parts as { partNumber: number; url: string }[]) {
      const put = await putToStorage(part.url, data.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize));
      parts.push({ partNumber: part.partNumber, etag: put.headers.get("etag")! });
    }
    const completed = await routes.complete(user, upload.uploadId, { parts });
    expect(completed.body).toEqual({ projectId: upload.projectId, status: "queued" });
    expect(await storedSha256(upload.key)).toBe(sha256(data));
  });

  it("answers 409 upload_incomplete naming the missing parts, and stays completable", async () => {
    const upload = await createMultipart();
    await uploadParts(user, upload.uploadId, data, partSize, [1, 3]);
    const early = await routes.complete(user, upload.uploadId);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: "upload_incomplete", details: { missingParts: [2] } });
    expect(await uploadRow(upload.uploadId)).toMatchObject({ status: "uploading", claimedAt: null });
    expect((await projectRow(upload.projectId)).status).toBe("uploading");

    await uploadParts(user, upload.uploadId, data, partSize, [2]);
    expect((await routes.complete(user, upload.uploadId)).body.status).toBe("queued");
  });

  it("refuses to record a part whose size is not that part's fixed length, or a part beyond the last", async () => {
    const upload = await createMultipart();
    const wrongSize = await routes.recordPart(user, upload.uploadId, 1, { etag: '"abc"', size: partSize - 1 });
    expect(wrongSize.status).toBe(422);
    expect(wrongSize.body.error.message).toContain(`exactly ${partSize} bytes`);
    const beyond = await routes.recordPart(user, upload.uploadId, 4, { etag: '"abc"', size: 10 });
    expect(beyond.status).toBe(422);
    const signBeyond = await routes.signParts(user, upload.uploadId, [4]);
    expect(signBeyond.status).toBe(422);
    expect((await routes.status(user, upload.uploadId)).body.receivedParts).toEqual([]);
  });

  it("leaves a fresh claim to its holder but takes over one whose claimer died mid-way", async () => {
    const upload = await createMultipart();
    await uploadParts(user, upload.uploadId, data, partSize, [1, 2, 3]);
    await db()`update uploads set status = 'completing', claimed_at = now() - interval '1 minute' where id = ${upload.uploadId}`;
    expect((await routes.complete(user, upload.uploadId)).body.status).toBe("alreadyProcessing");
    expect(probe.sent).toHaveLength(0);

    await db()`update uploads set claimed_at = now() - interval '11 minutes' where id = ${upload.uploadId}`;
    const completed = await routes.complete(user, upload.uploadId);
    expect(completed.body).toEqual({ projectId: upload.projectId, status: "queued" });
    expect(probe.sent).toHaveLength(1);
  });
});
