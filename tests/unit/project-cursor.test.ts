import { describe, expect, it } from "vitest";
import { decodeProjectCursor, encodeProjectCursor } from "@/lib/projects/cursor";
import { AppError } from "@/lib/api/errors";

describe("project list cursor", () => {
  it("round-trips the last project's creation time and id", () => {
    const cursor = { createdAt: new Date("2026-03-04T05:06:07.089Z"), id: "0b7e3a52-3f0c-4b59-9a8e-1c2d3e4f5a6b" };
    expect(decodeProjectCursor(encodeProjectCursor(cursor))).toEqual(cursor);
  });

  it("refuses anything it did not make with a 400", () => {
    for (const bad of ["", "abc", Buffer.from("2026-01-01T00:00:00Z|not-a-uuid").toString("base64url"), Buffer.from("yesterday|0b7e3a52-3f0c-4b59-9a8e-1c2d3e4f5a6b").toString("base64url")]) {
      const error = (() => {
        try {
          decodeProjectCursor(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
    }
  });
});
