import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deleteObject, putObject, readObjectStart } from "@/lib/storage/objects";

describe("readObjectStart: an object's first bytes and total size in one request", () => {
  it("returns only the asked-for bytes of a larger object, with the object's full size", async () => {
    const key = `tests/start-${randomUUID()}.bin`;
    const bytes = randomBytes(100_000);
    await putObject(key, bytes, { contentType: "video/mp4" });
    const start = await readObjectStart(key, 4096);
    expect(start?.size).toBe(100_000);
    expect(start?.bytes.equals(bytes.subarray(0, 4096))).toBe(true);
    await deleteObject(key);
  });

  it("returns the whole of an object shorter than asked for, and size 0 for an empty one", async () => {
    const short = `tests/start-short-${randomUUID()}.bin`;
    const empty = `tests/start-empty-${randomUUID()}.bin`;
    await putObject(short, Buffer.from("tiny"), { contentType: "video/mp4" });
    await putObject(empty, Buffer.alloc(0), { contentType: "video/mp4" });
    expect(await readObjectStart(short, 4096)).toEqual({ size: 4, bytes: Buffer.from("tiny") });
    expect(await readObjectStart(empty, 4096)).toEqual({ size: 0, bytes: Buffer.alloc(0) });
    await Promise.all([deleteObject(short), deleteObject(empty)]);
  });

  it("returns null for a key that does not exist", async () => {
    expect(await readObjectStart(`tests/never-${randomUUID()}.bin`, 4096)).toBeNull();
  });
});
