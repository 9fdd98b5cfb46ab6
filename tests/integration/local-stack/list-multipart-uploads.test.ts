import { randomBytes, randomUUID } from "node:crypto";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { bucket, storage } from "@/lib/storage/client";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listOpenMultipartUploads,
  uploadPart,
} from "@/lib/storage/multipart";
import { storageErrorName } from "@/lib/uploads/storage-errors";

// s3rver answers ListMultipartUploads with 501; the local storage lists open uploads as R2
// and S3 do, so the reconciler's orphan sweep works locally too.

describe("the local storage's ListMultipartUploads", () => {
  it("lists the open multipart uploads under a prefix, not the completed or aborted ones", async () => {
    const prefix = `tests/list-${randomUUID()}/`;
    const open = await createMultipartUpload(`${prefix}b-open.mp4`, "video/mp4");
    const aborted = await createMultipartUpload(`${prefix}c-aborted.mp4`, "video/mp4");
    await abortMultipartUpload(`${prefix}c-aborted.mp4`, aborted);
    const completedKey = `${prefix}a-completed.mp4`;
    const completed = await createMultipartUpload(completedKey, "video/mp4");
    const etag = await uploadPart({ key: completedKey, storageUploadId: completed, partNumber: 1, body: randomBytes(1000) });
    await completeMultipartUpload({ key: completedKey, storageUploadId: completed, parts: [{ partNumber: 1, etag }] });
    const elsewhere = await createMultipartUpload(`tests/other-${randomUUID()}/x.mp4`, "video/mp4");

    const listed = await listOpenMultipartUploads(prefix);
    expect(listed?.map((u) => [u.key, u.storageUploadId])).toEqual([[`${prefix}b-open.mp4`, open]]);
    expect(Math.abs(listed![0]!.initiated!.getTime() - Date.now())).toBeLessThan(60_000);
    await abortMultipartUpload(`${prefix}b-open.mp4`, open);
    await abortMultipartUpload("elsewhere", elsewhere).catch(() => {});
  });

  it("pages by key and upload id markers, ordered by key", async () => {
    const prefix = `tests/pages-${randomUUID()}/`;
    const keys = [`${prefix}1.mp4`, `${prefix}2.mp4`, `${prefix}3.mp4`];
    const ids = [];
    for (const key of keys) ids.push(await createMultipartUpload(key, "video/mp4"));

    const first = await storage().send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: prefix, MaxUploads: 2 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Uploads?.map((u) => u.Key)).toEqual(keys.slice(0, 2));
    const second = await storage().send(
      new ListMultipartUploadsCommand({
        Bucket: bucket(),
        Prefix: prefix,
        MaxUploads: 2,
        KeyMarker: first.NextKeyMarker,
        UploadIdMarker: first.NextUploadIdMarker,
      }),
    );
    expect(second.IsTruncated).toBe(false);
    expect(second.Uploads?.map((u) => u.Key)).toEqual(keys.slice(2));
    // The SDK's paging loop gets all of them.
    expect((await listOpenMultipartUploads(prefix))?.map((u) => u.storageUploadId)).toEqual(ids);
    for (const [i, key] of keys.entries()) await abortMultipartUpload(key, ids[i]!);
  });

  it("refuses a part for an upload that was aborted, as S3 does, instead of storing it", async () => {
    const key = `tests/late-part-${randomUUID()}.mp4`;
    const id = await createMultipartUpload(key, "video/mp4");
    await abortMultipartUpload(key, id);
    const late = await uploadPart({ key, storageUploadId: id, partNumber: 1, body: randomBytes(1000) }).catch((e: unknown) => e);
    expect(storageErrorName(late)).toBe("NoSuchUpload");
    expect(await listOpenMultipartUploads(key)).toEqual([]);
  });
});
