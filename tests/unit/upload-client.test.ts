import { describe, expect, it } from "vitest";
import { fileFingerprint, ResumeStore, type StoredUpload } from "@/lib/upload-client/resume-store";
import { TransferRate } from "@/lib/upload-client/transfer-rate";
import { contentTypeOf, partLength } from "@/lib/upload-client/upload-bridge";

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

const upload = (uploadId: string): StoredUpload => ({
  uploadId,
  projectId: "p",
  key: `uploads/u/${uploadId}/talk.mp4`,
  method: "multipart",
  name: "talk.mp4",
  size: 12_000_000,
  savedAt: "2026-01-01T00:00:00.000Z",
});

describe("upload speed and time left", () => {
  it("measures bytes per second over the recent window and the time the rest will take", () => {
    const rate = new TransferRate(5000);
    expect(rate.bytesPerSecond()).toBeNull();
    rate.add(0, 0);
    rate.add(500, 500_000);
    expect(rate.bytesPerSecond()).toBeNull();
    rate.add(1000, 1_000_000);
    rate.add(2000, 2_000_000);
    expect(rate.bytesPerSecond()).toBe(1_000_000);
    expect(rate.secondsLeft(10_000_000)).toBe(8);
  });

  it("forgets the old pace after a restart, so bytes already stored do not count as speed", () => {
    const rate = new TransferRate(5000);
    rate.add(0, 0);
    rate.add(2000, 200_000);
    rate.restart();
    rate.add(10_000, 5_000_000); // resumed: 5 MB were already stored
    rate.add(11_000, 5_500_000);
    expect(rate.bytesPerSecond()).toBe(500_000);
  });
});

describe("resume store", () => {
  it("finds an upload again by the same file's fingerprint, per user", () => {
    const storage = memoryStorage();
    const file = { name: "talk.mp4", size: 12_000_000, type: "video/mp4", lastModified: 1_700_000_000_000 };
    new ResumeStore("alice", storage).put(fileFingerprint(file), upload("up-1"));
    expect(new ResumeStore("alice", storage).get(fileFingerprint({ ...file }))?.uploadId).toBe("up-1");
    expect(new ResumeStore("alice", storage).get(fileFingerprint({ ...file, lastModified: 1 }))).toBeUndefined();
    expect(new ResumeStore("bob", storage).get(fileFingerprint(file))).toBeUndefined();
  });

  it("forgets an upload and tells subscribers", () => {
    const store = new ResumeStore("alice", memoryStorage());
    let changes = 0;
    store.subscribe(() => changes++);
    store.put("a", upload("up-1"));
    store.put("b", upload("up-2"));
    store.forget("up-1");
    expect(Object.values(store.all()).map((u) => u.uploadId)).toEqual(["up-2"]);
    expect(changes).toBe(3);
  });

  it("survives storage it cannot read or write", () => {
    const broken = { getItem: () => "{not json", setItem: () => { throw new Error("quota"); } };
    const store = new ResumeStore("alice", broken);
    expect(store.all()).toEqual({});
    expect(() => store.put("a", upload("up-1"))).not.toThrow();
  });
});

describe("upload parts and types", () => {
  it("cuts a file into equal parts with a shorter last one", () => {
    const MiB = 1024 * 1024;
    expect([1, 2, 3].map((n) => partLength(12 * MiB + 5, 5 * MiB, n))).toEqual([5 * MiB, 5 * MiB, 2 * MiB + 5]);
  });

  it("names the container from the extension when the browser gives no type", () => {
    expect(contentTypeOf({ name: "Trip.MKV", type: "" })).toBe("video/x-matroska");
    expect(contentTypeOf({ name: "clip.mov", type: "video/quicktime" })).toBe("video/quicktime");
  });
});
