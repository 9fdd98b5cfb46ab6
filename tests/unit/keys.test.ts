import { describe, expect, it } from "vitest";
import { safeFilename, uploadKey } from "@/lib/storage/keys";

describe("object keys", () => {
  it("keeps ordinary names readable", () => {
    expect(safeFilename("My Talk (final).mp4")).toBe("My-Talk-final.mp4");
  });

  it("never lets a name climb out of its folder", () => {
    for (const name of ["../../x.mp4", "..\\..\\x.mp4", "/etc/passwd.mp4", "a/../../b.mov"]) {
      const safe = safeFilename(name);
      expect(safe).not.toContain("/");
      expect(safe).not.toContain("\\");
      expect(safe).not.toContain("..");
    }
  });

  it("drops markup, control and bidirectional-override characters", () => {
    expect(safeFilename("<script>.mp4")).toBe("script.mp4");
    expect(safeFilename("invoice\u202Egnp.mp4")).toBe("invoice-gnp.mp4");
    expect(safeFilename("\u0000\u0007.webm")).toBe("video.webm");
  });

  it("caps the length and keeps the extension", () => {
    const safe = safeFilename(`${"a".repeat(300)}.mkv`);
    expect(safe.length).toBeLessThanOrEqual(100);
    expect(safe.endsWith(".mkv")).toBe(true);
  });

  it("builds upload keys under the user and upload", () => {
    expect(uploadKey("u1", "up1", "clip.MOV")).toBe("uploads/u1/up1/clip.mov");
  });
});
