import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/api/errors";
import { checkFilename } from "@/lib/uploads/check-filename";
import { checkVideoType } from "@/lib/uploads/video-types";
import { planParts } from "@/lib/uploads/plan-parts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("checkFilename", () => {
  it("keeps ordinary, non-ASCII, path-like and markup names exactly as given", () => {
    for (const name of ["Talk (final).mp4", "Präsentation – Köln.mov", "会议.mkv", "../../x.mp4", "<script>.mp4", "שלום.webm"]) {
      expect(checkFilename(name)).toBe(name);
    }
  });

  it("refuses names over 255 characters, counting characters rather than UTF-16 units", () => {
    expect(errorOf(() => checkFilename(`${"a".repeat(296)}.mp4`)).code).toBe("invalid_filename");
    expect(checkFilename(`${"😀".repeat(251)}.mp4`)).toHaveLength(251 * 2 + 4);
  });

  it("refuses control and bidirectional-override characters, naming the code point", () => {
    const rtl = errorOf(() => checkFilename("invoice\u202Ekcp.mp4"));
    expect(rtl.code).toBe("invalid_filename");
    expect(rtl.message).toContain("U+202E");
    for (const name of ["a\u0000.mp4", "a\n.mp4", "a\u2067.mp4", "a\u0085.mp4"]) {
      expect(errorOf(() => checkFilename(name)).code).toBe("invalid_filename");
    }
  });

  it("refuses an empty or blank name", () => {
    expect(errorOf(() => checkFilename("   ")).code).toBe("invalid_filename");
  });
});

describe("checkVideoType", () => {
  it("accepts each allowed container with its MIME types, case-insensitively", () => {
    expect(checkVideoType("A.MP4", "Video/MP4")).toBe("video/mp4");
    expect(checkVideoType("a.m4v", "video/mp4")).toBe("video/mp4");
    expect(checkVideoType("a.mkv", "video/matroska")).toBe("video/matroska");
    expect(checkVideoType("a.avi", "video/avi")).toBe("video/avi");
  });

  it("refuses with 415 and says what is accepted", () => {
    const wrongExtension = errorOf(() => checkVideoType("a.gif", "image/gif"));
    expect(wrongExtension.status).toBe(415);
    expect(wrongExtension.message).toContain("MP4, MOV, M4V, WebM, MKV or AVI");
    expect(errorOf(() => checkVideoType("a.mov", "video/mp4")).message).toContain("does not match");
    expect(errorOf(() => checkVideoType("a.mp4", "")).status).toBe(415);
  });
});

describe("planParts", () => {
  it("uses the configured part size when it keeps the count at or under 1,000", () => {
    expect(planParts(100 * MiB, 16 * MiB)).toEqual({ partSize: 16 * MiB, partCount: 7 });
  });

  it("needs at most 1,000 parts of at least 5 MiB for a 5 GiB file, even at the 5 MiB minimum", () => {
    for (const preferred of [5 * MiB, 8 * MiB, 16 * MiB]) {
      const { partSize, partCount } = planParts(5 * GiB, preferred);
      expect(partSize).toBeGreaterThanOrEqual(5 * MiB);
      expect(partCount).toBeLessThanOrEqual(1000);
      expect(partSize * (partCount - 1)).toBeLessThan(5 * GiB);
      expect(partSize * partCount).toBeGreaterThanOrEqual(5 * GiB);
    }
  });

  it("keeps the largest plan's files at or under 1,000 parts", () => {
    const { partCount } = planParts(20 * GiB, 5 * MiB);
    expect(partCount).toBeLessThanOrEqual(1000);
  });
});
