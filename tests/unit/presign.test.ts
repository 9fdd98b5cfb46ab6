import { beforeAll, describe, expect, it } from "vitest";
import { useUnitEnv } from "../support/unit-env";
import { presignGet, presignPut, presignUploadPart } from "@/lib/storage/presign";

// s3rver does not verify signatures, so what R2 enforces is asserted on the URLs here.
const ownerId = "5a1d0c3e-8a4b-4c2f-9d7e-0b6f3a2c1d4e";

describe("presigned URLs", () => {
  beforeAll(() => useUnitEnv());

  it("signs Content-Type and Content-Length into a single PUT and sets the expiry", async () => {
    const url = new URL(
      await presignPut({ key: "uploads/u/up/talk.mp4", contentType: "video/mp4", contentLength: 1234, expiresInSeconds: 900 }),
    );
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["content-length", "content-type", "host"]);
    expect(url.pathname).toContain("uploads/u/up/talk.mp4");
  });

  it("puts no checksum parameter into any presigned URL (R2 would reject the upload)", async () => {
    const urls = [
      await presignPut({ key: "k.mp4", contentType: "video/mp4", contentLength: 1, expiresInSeconds: 60 }),
      await presignUploadPart({ key: "k.mp4", storageUploadId: "abc", partNumber: 3, contentLength: 5 * 1024 * 1024, expiresInSeconds: 60 }),
      await presignGet({ ownerId, key: `uploads/${ownerId}/up/k.mp4`, expiresInSeconds: 60 }),
    ];
    for (const raw of urls) {
      if (!raw) throw new Error("no URL was signed");
      const names = [...new URL(raw).searchParams.keys()].map((k) => k.toLowerCase());
      expect(names.filter((n) => n.includes("checksum"))).toEqual([]);
    }
  });

  it("signs the part number, upload id and Content-Length of an upload part", async () => {
    const url = new URL(
      await presignUploadPart({ key: "k.mp4", storageUploadId: "upload-1", partNumber: 7, contentLength: 16 * 1024 * 1024, expiresInSeconds: 300 }),
    );
    expect(url.searchParams.get("partNumber")).toBe("7");
    expect(url.searchParams.get("uploadId")).toBe("upload-1");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toContain("content-length");
  });
});
