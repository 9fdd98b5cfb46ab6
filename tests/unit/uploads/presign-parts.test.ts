import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useUnitEnv } from "../../support/unit-env";
import { presignUploadPart, presignUploadParts } from "@/lib/storage/presign";

const MiB = 1024 * 1024;

describe("presignUploadParts", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-22T12:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it.each([
    ["R2 (virtual-hosted)", {}],
    ["a path-style server", { R2_ENDPOINT: "http://127.0.0.1:4568", R2_FORCE_PATH_STYLE: "true" }],
  ])("signs every part exactly as getSignedUrl would, for %s", async (_name, overrides) => {
    useUnitEnv(overrides);
    const key = "uploads/u1/up1/a+b~c (1).mp4";
    const parts = [1, 2, 3, 64].map((partNumber) => ({ partNumber, contentLength: partNumber === 64 ? 1234 : 16 * MiB }));
    const batch = await presignUploadParts({ key, storageUploadId: "upload-xyz", parts, expiresInSeconds: 900 });
    const oneByOne = await Promise.all(
      parts.map((p) => presignUploadPart({ key, storageUploadId: "upload-xyz", ...p, expiresInSeconds: 900 })),
    );
    expect(batch).toEqual(oneByOne);
    const last = new URL(batch[3]!);
    expect(last.searchParams.get("partNumber")).toBe("64");
    expect(last.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect([...last.searchParams.keys()].filter((k) => k.toLowerCase().includes("checksum"))).toEqual([]);
  });

  it("signs nothing for no parts", async () => {
    useUnitEnv();
    expect(await presignUploadParts({ key: "k", storageUploadId: "u", parts: [], expiresInSeconds: 60 })).toEqual([]);
  });
});
