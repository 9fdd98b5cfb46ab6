import { describe, expect, it } from "vitest";
import { describeNonVideo, sniffContainer } from "@/lib/uploads/sniff-container";

const box = (type: string, brand: string, size = 24) =>
  Buffer.concat([Buffer.from([0, 0, 0, size]), Buffer.from(type), Buffer.from(brand), Buffer.alloc(12)]);

function ebml(docType?: string): Buffer {
  const version = [0x42, 0x86, 0x81, 0x01];
  const doc = docType ? [0x42, 0x82, 0x80 | docType.length, ...Buffer.from(docType)] : [];
  const body = [...version, ...doc];
  return Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length, ...body, 0x18, 0x53, 0x80, 0x67]);
}

describe("sniffContainer", () => {
  it("recognises ISO-BMFF by its ftyp box and keeps the brand", () => {
    expect(sniffContainer(box("ftyp", "isom"))).toEqual({ container: "iso-bmff", brand: "isom" });
    expect(sniffContainer(box("ftyp", "qt  "))).toEqual({ container: "iso-bmff", brand: "qt  " });
  });

  it("refuses ISO-BMFF files that are still images or audio only", () => {
    for (const brand of ["heic", "mif1", "avif", "M4A "]) expect(sniffContainer(box("ftyp", brand))).toBeNull();
  });

  it("accepts a QuickTime movie that starts with a classic atom instead of ftyp", () => {
    expect(sniffContainer(box("wide", "\0\0\0\0", 8))).toEqual({ container: "quicktime" });
    expect(sniffContainer(box("moov", "\0\0\0\0", 200))).toEqual({ container: "quicktime" });
  });

  it("refuses a box with an impossible size", () => {
    expect(sniffContainer(box("ftyp", "isom", 4))).toBeNull();
  });

  it("reads the EBML DocType to tell WebM from Matroska and refuses other EBML documents", () => {
    expect(sniffContainer(ebml("webm"))).toEqual({ container: "webm" });
    expect(sniffContainer(ebml("matroska"))).toEqual({ container: "matroska" });
    expect(sniffContainer(ebml())).toEqual({ container: "matroska" });
    expect(sniffContainer(ebml("notavideo"))).toBeNull();
  });

  it("recognises RIFF AVI and refuses other RIFF files", () => {
    const riff = (form: string) => Buffer.concat([Buffer.from("RIFF"), Buffer.from([8, 0, 0, 0]), Buffer.from(form), Buffer.alloc(8)]);
    expect(sniffContainer(riff("AVI "))).toEqual({ container: "avi" });
    expect(sniffContainer(riff("WAVE"))).toBeNull();
  });

  it("refuses text, playlists, images and too few bytes", () => {
    expect(sniffContainer(Buffer.from("hello, this is a text file\n"))).toBeNull();
    expect(sniffContainer(Buffer.from("#EXTM3U\n#EXTINF:10,\nseg.ts\n"))).toBeNull();
    expect(sniffContainer(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]))).toBeNull();
    expect(sniffContainer(Buffer.from([0, 0, 0]))).toBeNull();
  });
});

describe("describeNonVideo", () => {
  it("names what a refused file looks like", () => {
    expect(describeNonVideo(Buffer.from("#EXTM3U\n"))).toContain("HLS playlist");
    expect(describeNonVideo(Buffer.from("plain words\n"))).toBe("a text file");
    expect(describeNonVideo(box("ftyp", "heic"))).toContain('brand "heic"');
    expect(describeNonVideo(Buffer.from([0xff, 0xd8, 0xff]))).toBe("a JPEG image");
    expect(describeNonVideo(Buffer.alloc(0))).toBe("an empty file");
    expect(describeNonVideo(Buffer.from([0, 1, 2, 3, 200, 201, 5, 6]))).toContain("no video format");
  });
});
