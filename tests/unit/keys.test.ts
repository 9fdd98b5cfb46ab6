import { describe, expect, it } from "vitest";
import { outputKeys, safeFilename, sharedKeys, uploadKey } from "@/lib/storage/keys";
import { isUnderOwnerPrefix, ownedKeys, sharedOutputIdOf } from "@/lib/storage/owned-keys";

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

describe("whose object a key names", () => {
  const owner = "5a1d0c3e-8a4b-4c2f-9d7e-0b6f3a2c1d4e";
  const other = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
  const id = "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f";

  it("accepts every key the server makes under the owner's prefixes", () => {
    for (const key of [
      uploadKey(owner, id, "My Talk.mov"),
      `imports/${owner}/${id}/clip.mp4`,
      outputKeys.playback(owner, id),
      outputKeys.thumbnail(owner, id),
      outputKeys.clip(owner, id, 2),
      outputKeys.clipThumbnail(owner, id, 2),
    ]) {
      expect(isUnderOwnerPrefix(owner, key), key).toBe(true);
    }
  });

  it("refuses another owner's keys and keys outside the owner's prefixes", () => {
    for (const key of [
      uploadKey(other, id, "talk.mp4"),
      outputKeys.playback(other, id),
      `doctor/${owner}.txt`,
      `media/${owner}/${id}/talk.mp4`,
      `${owner}/${id}/talk.mp4`,
    ]) {
      expect(isUnderOwnerPrefix(owner, key), key).toBe(false);
    }
  });

  it("refuses dot segments that would climb into another owner's folder", () => {
    for (const key of [
      `uploads/${owner}/../${other}/${id}/talk.mp4`,
      `uploads/${owner}/${id}/../../${other}/x/talk.mp4`,
      `projects/${owner}/./${id}/web.mp4`,
      `projects/${owner}/${id}/..`,
      `uploads/${owner}/${id}/..talk.mp4`,
    ]) {
      expect(isUnderOwnerPrefix(owner, key), key).toBe(false);
    }
  });

  it("refuses a prefix that only starts like the owner's id", () => {
    for (const key of [
      `uploads/${owner}x/${id}/talk.mp4`,
      `uploads/${owner.slice(0, -1)}/${id}/talk.mp4`,
      `uploads/${owner.toUpperCase()}/${id}/talk.mp4`,
      `uploadsx/${owner}/${id}/talk.mp4`,
      `uploads/${owner}`,
      `uploads/${owner}/`,
      `uploads/${owner}/${id}`,
    ]) {
      expect(isUnderOwnerPrefix(owner, key), key).toBe(false);
    }
  });

  it("refuses absolute, empty, doubled-slash, backslashed and encoded spellings", () => {
    for (const key of [
      "",
      `/uploads/${owner}/${id}/talk.mp4`,
      `uploads//${owner}/${id}/talk.mp4`,
      `uploads/${owner}//${id}/talk.mp4`,
      `uploads/${owner}/${id}/talk.mp4/`,
      `uploads/${owner}/..\\${other}\\talk.mp4`,
      `uploads/${owner}/%2e%2e/${other}/talk.mp4`,
      `uploads%2F${owner}%2F${id}%2Ftalk.mp4`,
      `uploads/${owner}/${id}/talk%00.mp4`,
      `uploads/${owner}/${id}/ta lk.mp4`,
      `uploads/${owner}/${id}/\uff0e\uff0e`,
      `uploads/${owner}/${id}/${"a".repeat(1100)}.mp4`,
    ]) {
      expect(isUnderOwnerPrefix(owner, key), JSON.stringify(key)).toBe(false);
    }
  });

  it("refuses every key when the owner is not a user id (an empty owner matches no prefix)", () => {
    expect(isUnderOwnerPrefix("", `uploads//${id}/talk.mp4`)).toBe(false);
    expect(isUnderOwnerPrefix("*", `uploads/*/${id}/talk.mp4`)).toBe(false);
    expect(isUnderOwnerPrefix("..", `uploads/../${id}/talk.mp4`)).toBe(false);
  });

  it("reads a shared output's id only from the exact shared/<32 hex>/clip.mp4|thumbnail.jpg form", () => {
    const sharedId = "0123456789abcdef0123456789abcdef";
    expect(sharedOutputIdOf(sharedKeys.clip(sharedId))).toBe(sharedId);
    expect(sharedOutputIdOf(sharedKeys.thumbnail(sharedId))).toBe(sharedId);
    for (const key of [
      `shared/${sharedId}/../${sharedId}/clip.mp4`,
      `shared/${sharedId.toUpperCase()}/clip.mp4`,
      `shared/${sharedId.slice(1)}/clip.mp4`,
      `shared/${sharedId}/web.mp4`,
      `/shared/${sharedId}/clip.mp4`,
      `shared/${sharedId}/clip.mp4/`,
      `shared/${sharedId}/clip%2Emp4`,
    ]) {
      expect(sharedOutputIdOf(key), key).toBeNull();
    }
  });

  it("filters a list down to the owner's keys without asking the database when none is shared", async () => {
    const mine = [uploadKey(owner, id, "talk.mp4"), outputKeys.playback(owner, id)];
    const owned = await ownedKeys(owner, [...mine, outputKeys.playback(other, id), `uploads/${owner}/../${other}/x/y.mp4`], "test");
    expect([...owned].sort()).toEqual([...mine].sort());
  });
});
