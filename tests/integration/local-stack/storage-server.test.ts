import { createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { completeMultipartUpload, createMultipartUpload, uploadPart } from "@/lib/storage/multipart";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { storedMedia } from "@/lib/processing/stored-media";
import { bucket, storage } from "@/lib/storage/client";
import {
  deleteObject,
  getObjectRange,
  getObjectStream,
  headObject,
  isPreconditionFailed,
  listObjects,
  putObject,
} from "@/lib/storage/objects";
import { storageErrorName } from "@/lib/uploads/storage-errors";

const MiB = 1024 * 1024;
const md5 = (data: Buffer) => createHash("md5").update(data).digest();

async function storedBytes(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await getObjectStream(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function uploadThreeParts(key: string) {
  const storageUploadId = await createMultipartUpload(key, "video/mp4");
  const bodies = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(12_345)];
  // Uploaded out of order, as parallel PUTs finish.
  const etags = await Promise.all(
    [3, 1, 2].map(async (partNumber) => ({
      partNumber,
      etag: await uploadPart({ key, storageUploadId, partNumber, body: bodies[partNumber - 1]! }),
    })),
  );
  return { storageUploadId, bodies, parts: etags.sort((a, b) => a.partNumber - b.partNumber) };
}

describe("the local storage server's multipart completion", () => {
  it("serves the parts in order as one object, with S3's multipart ETag: MD5 of the part MD5s, then -<parts>", async () => {
    const key = `tests/assembled-${randomUUID()}.mp4`;
    const { storageUploadId, bodies, parts } = await uploadThreeParts(key);
    expect(parts.map((p) => p.etag)).toEqual(bodies.map((b) => `"${md5(b).toString("hex")}"`));

    await completeMultipartUpload({ key, storageUploadId, parts });

    const expectedEtag = `"${md5(Buffer.concat(bodies.map(md5))).toString("hex")}-3"`;
    expect(await headObject(key)).toMatchObject({ size: 10 * MiB + 12_345, etag: expectedEtag, contentType: "video/mp4" });
    expect((await storedBytes(key)).equals(Buffer.concat(bodies))).toBe(true);
    await deleteObject(key);
  });

  it("refuses a part list whose ETag does not match an uploaded part (InvalidPart), and completes once it is right", async () => {
    const key = `tests/invalid-part-${randomUUID()}.mp4`;
    const { storageUploadId, bodies, parts } = await uploadThreeParts(key);
    const wrongEtag = parts.map((p) => (p.partNumber === 2 ? { ...p, etag: `"${"0".repeat(32)}"` } : p));
    const missingPart = [...parts, { partNumber: 4, etag: parts[0]!.etag }];

    for (const list of [wrongEtag, missingPart]) {
      const error = await completeMultipartUpload({ key, storageUploadId, parts: list }).catch((e: unknown) => e);
      expect(storageErrorName(error)).toBe("InvalidPart");
    }
    expect(await headObject(key)).toBeNull();

    await completeMultipartUpload({ key, storageUploadId, parts });
    expect((await storedBytes(key)).equals(Buffer.concat(bodies))).toBe(true);
    await deleteObject(key);
  });

  it("no longer knows the upload once it is complete (NoSuchUpload), and keeps the object", async () => {
    const key = `tests/completed-twice-${randomUUID()}.mp4`;
    const { storageUploadId, parts } = await uploadThreeParts(key);
    await completeMultipartUpload({ key, storageUploadId, parts });
    const error = await completeMultipartUpload({ key, storageUploadId, parts }).catch((e: unknown) => e);
    expect(storageErrorName(error)).toBe("NoSuchUpload");
    expect(await headObject(key)).toMatchObject({ size: 10 * MiB + 12_345 });
    await deleteObject(key);
  });

  it("answers ranged reads that start, end or cross part boundaries with the right bytes, and refuses a range past the end", async () => {
    const key = `tests/ranges-${randomUUID()}.mp4`;
    const { storageUploadId, bodies, parts } = await uploadThreeParts(key);
    await completeMultipartUpload({ key, storageUploadId, parts });
    const whole = Buffer.concat(bodies);
    const p1 = 5 * MiB;
    for (const [start, end] of [
      [0, 11],
      [p1 - 10, p1 + 9],
      [p1, p1],
      [p1 - 1, 2 * p1],
      [100, whole.length - 1],
      [2 * p1 + 5, whole.length - 1],
    ] as const) {
      const got = await getObjectRange(key, start, end);
      expect(got.equals(whole.subarray(start, end + 1)), `bytes ${start}-${end}`).toBe(true);
    }
    const pastEnd = await getObjectRange(key, whole.length + 1, whole.length + 10).catch((e: unknown) => e);
    expect(storageErrorName(pastEnd)).toBe("InvalidRange");
    await deleteObject(key);
  });

  it("lets a plain PUT replace a multipart object and a multipart upload replace a plain one; a listing shows one object of the right size, and delete removes it", async () => {
    const key = `tests/replaced-${randomUUID()}.mp4`;
    const first = await uploadThreeParts(key);
    await completeMultipartUpload({ key, storageUploadId: first.storageUploadId, parts: first.parts });

    const plain = randomBytes(1000);
    await putObject(key, plain, { contentType: "video/mp4" });
    expect(await headObject(key)).toMatchObject({ size: 1000, etag: `"${md5(plain).toString("hex")}"` });
    expect((await storedBytes(key)).equals(plain)).toBe(true);

    const second = await uploadThreeParts(key);
    await completeMultipartUpload({ key, storageUploadId: second.storageUploadId, parts: second.parts });
    expect((await storedBytes(key)).equals(Buffer.concat(second.bodies))).toBe(true);
    const prefix = key.slice(0, key.lastIndexOf("/") + 1);
    expect((await listObjects(prefix)).filter((o) => o.key === key)).toEqual([expect.objectContaining({ key, size: 10 * MiB + 12_345 })]);

    await deleteObject(key);
    expect(await headObject(key)).toBeNull();
    expect((await listObjects(prefix)).filter((o) => o.key.startsWith(key))).toEqual([]);
  });

  it("refuses a byte range of an empty object with InvalidRange, as S3 does, instead of leaving the reader waiting", async () => {
    const key = `tests/empty-${randomUUID()}.mp4`;
    await putObject(key, Buffer.alloc(0), { contentType: "video/mp4" });
    const error = await getObjectRange(key, 0, 4095).catch((e: unknown) => e);
    expect(storageErrorName(error)).toBe("InvalidRange");
    expect(await headObject(key)).toMatchObject({ size: 0 });
    await deleteObject(key);
  });
});

describe("the local storage server's conditional reads (If-Match), as R2 and S3 answer them", () => {
  it("serves a range only while the object has the ETag named, plain or multipart, and answers 412 PreconditionFailed once it was replaced", async () => {
    const key = `tests/if-match-${randomUUID()}.mp4`;
    const { storageUploadId, bodies, parts } = await uploadThreeParts(key);
    await completeMultipartUpload({ key, storageUploadId, parts });
    const multipartEtag = (await headObject(key))!.etag!;

    expect((await getObjectRange(key, 0, 99, { ifMatch: multipartEtag })).equals(bodies[0]!.subarray(0, 100))).toBe(true);
    expect((await getObjectRange(key, 0, 9, { ifMatch: `"other", ${multipartEtag}` })).length).toBe(10);
    expect((await getObjectRange(key, 0, 9, { ifMatch: "*" })).length).toBe(10);

    const replacement = randomBytes(1000);
    await putObject(key, replacement, { contentType: "video/mp4" });
    const refused = await getObjectRange(key, 0, 99, { ifMatch: multipartEtag }).catch((e: unknown) => e);
    expect(isPreconditionFailed(refused)).toBe(true);
    expect(storageErrorName(refused)).toBe("PreconditionFailed");
    const head = await storage()
      .send(new HeadObjectCommand({ Bucket: bucket(), Key: key, IfMatch: multipartEtag }))
      .catch((e: unknown) => e);
    expect(isPreconditionFailed(head)).toBe(true);

    const plainEtag = `"${md5(replacement).toString("hex")}"`;
    expect((await getObjectRange(key, 0, 99, { ifMatch: plainEtag })).equals(replacement.subarray(0, 100))).toBe(true);
    await deleteObject(key);
  });

  it("binds a processing read URL to the ETag (a signed If-Match header): the bytes come while the object is the one named, 412 once it was replaced", async () => {
    const ownerId = randomUUID();
    const key = `uploads/${ownerId}/${randomUUID()}/holiday.mp4`;
    const original = randomBytes(4096);
    await putObject(key, original, { contentType: "video/mp4" });
    const etag = (await headObject(key))!.etag!;

    const input = await storedMedia(ownerId, key, { ifMatch: etag });
    if (!("url" in input)) throw new Error("expected a URL input");
    expect(new URL(input.url).searchParams.get("X-Amz-SignedHeaders")).toBe("host;if-match");
    expect(input.headers).toEqual({ "If-Match": etag });

    const withHeader = await fetch(input.url, { headers: { Range: "bytes=0-99", ...input.headers } });
    expect(withHeader.status).toBe(206);
    expect(Buffer.from(await withHeader.arrayBuffer()).equals(original.subarray(0, 100))).toBe(true);

    await putObject(key, randomBytes(4096), { contentType: "video/mp4" });
    const afterReplace = await fetch(input.url, { headers: { Range: "bytes=0-99", ...input.headers } });
    expect(afterReplace.status).toBe(412);
    expect(await afterReplace.text()).toContain("<Code>PreconditionFailed</Code>");
    await deleteObject(key);
  });
});
