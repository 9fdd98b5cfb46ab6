import { PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useUnitEnv } from "../../support/unit-env";
import { bucket, signingStorage } from "@/lib/storage/client";
import { presignPut, presignUploadPart, presignUploadParts } from "@/lib/storage/presign";

const MiB = 1024 * 1024;

// The SDK's getSignedUrl is the reference: our signer must produce its URLs exactly, for
// every endpoint style R2 and the local server use.
const endpointStyles = [
  ["R2 (virtual-hosted)", {}],
  ["a path-style server", { R2_ENDPOINT: "http://127.0.0.1:4568", R2_FORCE_PATH_STYLE: "true" }],
  ["a public endpoint with a base path", { R2_PUBLIC_ENDPOINT: "https://files.example.com/storage", R2_FORCE_PATH_STYLE: "true" }],
] as const;

describe("presigned upload URLs", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-22T12:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it.each(endpointStyles)("signs every part exactly as the SDK's getSignedUrl does, for %s", async (_name, overrides) => {
    useUnitEnv(overrides);
    const key = "uploads/u1/up1/a+b~c (1)'!*.mp4";
    const parts = [1, 2, 3, 64].map((partNumber) => ({ partNumber, contentLength: partNumber === 64 ? 1234 : 16 * MiB }));
    const batch = await presignUploadParts({ key, storageUploadId: "upload-xyz~1", parts, expiresInSeconds: 900 });
    const reference = await Promise.all(
      parts.map((p) =>
        getSignedUrl(
          signingStorage(),
          new UploadPartCommand({ Bucket: bucket(), Key: key, UploadId: "upload-xyz~1", PartNumber: p.partNumber, ContentLength: p.contentLength }),
          { expiresIn: 900, signableHeaders: new Set(["content-length"]) },
        ),
      ),
    );
    expect(batch).toEqual(reference);
    expect(await presignUploadPart({ key, storageUploadId: "upload-xyz~1", ...parts[1]!, expiresInSeconds: 900 })).toBe(reference[1]);
    const last = new URL(batch[3]!);
    expect(last.searchParams.get("partNumber")).toBe("64");
    expect(last.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect([...last.searchParams.keys()].filter((k) => k.toLowerCase().includes("checksum"))).toEqual([]);
  });

  it.each(endpointStyles)("signs a single PUT exactly as the SDK's getSignedUrl does, for %s", async (_name, overrides) => {
    useUnitEnv(overrides);
    const key = "uploads/u1/up1/talk (final).mov";
    const url = await presignPut({ key, contentType: "video/quicktime", contentLength: 5_000_000, expiresInSeconds: 600 });
    const reference = await getSignedUrl(
      signingStorage(),
      new PutObjectCommand({ Bucket: bucket(), Key: key, ContentType: "video/quicktime", ContentLength: 5_000_000 }),
      { expiresIn: 600, signableHeaders: new Set(["content-type", "content-length"]) },
    );
    expect(url).toBe(reference);
  });

  it("signs nothing for no parts", async () => {
    useUnitEnv();
    expect(await presignUploadParts({ key: "k", storageUploadId: "u", parts: [], expiresInSeconds: 60 })).toEqual([]);
  });
});
