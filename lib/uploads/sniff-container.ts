// Recognises a video container from a file's first bytes, before anything spends time on
// it. The extension and the browser's MIME type are claims; these bytes are evidence.

export type VideoContainer = "iso-bmff" | "quicktime" | "matroska" | "webm" | "avi";
export type SniffedVideo = { container: VideoContainer; brand?: string };

/** How many leading bytes `sniffContainer` needs to decide (an EBML header is rarely over 64). */
export const SNIFF_BYTES = 4096;

// ISO-BMFF major brands of files that are not videos: still images (HEIF, AVIF) and
// audio-only MPEG-4 files.
const NON_VIDEO_BRANDS = new Set(["heic", "heix", "heim", "heis", "mif1", "msf1", "avif", "avis", "M4A ", "M4B ", "M4P "]);
// Atoms a QuickTime movie may start with when it predates the `ftyp` box.
const CLASSIC_QUICKTIME_ATOMS = new Set(["moov", "mdat", "wide", "free", "skip", "pnot"]);

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
const u32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
const isPrintableFourCC = (value: string) => /^[\x20-\x7e]{4}$/.test(value);

export function sniffContainer(head: Uint8Array): SniffedVideo | null {
  return sniffIsoBmff(head) ?? sniffEbml(head) ?? sniffAvi(head);
}

function sniffIsoBmff(head: Uint8Array): SniffedVideo | null {
  if (head.length < 12) return null;
  const boxSize = u32(head, 0);
  const boxType = ascii(head, 4, 8);
  // 1 means a 64-bit size follows; otherwise the box must hold at least its own header.
  const sizeIsSane = boxSize === 1 || boxSize >= 8;
  if (boxType === "ftyp") {
    const brand = ascii(head, 8, 12);
    if (!sizeIsSane || boxSize === 8 || !isPrintableFourCC(brand) || NON_VIDEO_BRANDS.has(brand)) return null;
    return { container: "iso-bmff", brand };
  }
  if (CLASSIC_QUICKTIME_ATOMS.has(boxType) && sizeIsSane) return { container: "quicktime" };
  return null;
}

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const EBML_DOCTYPE_ID = 0x4282;

/** An EBML variable-length integer at `at`: its byte length and value (marker bit removed unless `keepMarker`). */
function readVint(bytes: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 8 || at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i]!;
  return { length, value };
}

function sniffEbml(head: Uint8Array): SniffedVideo | null {
  if (!EBML_MAGIC.every((b, i) => head[i] === b)) return null;
  const headerSize = readVint(head, 4, false);
  if (!headerSize) return null;
  let at = 4 + headerSize.length;
  const end = Math.min(head.length, at + headerSize.value);
  // The EBML spec's default DocType is "matroska" when the header does not name one.
  let docType = "matroska";
  while (at < end) {
    const id = readVint(head, at, true);
    if (!id) return null;
    const size = readVint(head, at + id.length, false);
    if (!size) return null;
    const dataStart = at + id.length + size.length;
    if (id.value === EBML_DOCTYPE_ID) {
      docType = ascii(head, dataStart, Math.min(dataStart + size.value, head.length)).replace(/\0+$/, "");
      break;
    }
    at = dataStart + size.value;
  }
  if (docType === "webm") return { container: "webm" };
  if (docType === "matroska") return { container: "matroska" };
  return null;
}

function sniffAvi(head: Uint8Array): SniffedVideo | null {
  if (head.length < 12) return null;
  return ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "AVI " ? { container: "avi" } : null;
}

/** What a refused file seems to be, for the message a person reads ("it looks like …"). */
export function describeNonVideo(head: Uint8Array): string {
  if (head.length === 0) return "an empty file";
  const start = ascii(head, 0, Math.min(head.length, 16));
  if (start.startsWith("#EXTM3U")) return "an HLS playlist (a text list of links, not the video itself)";
  if (ascii(head, 4, 8) === "ftyp") return `a non-video MPEG-4 file (brand "${ascii(head, 8, 12).trim()}")`;
  if (head[0] === 0xff && head[1] === 0xd8) return "a JPEG image";
  if (start.startsWith("\x89PNG")) return "a PNG image";
  if (start.startsWith("%PDF")) return "a PDF document";
  if (start.startsWith("RIFF")) return `a RIFF file of type "${ascii(head, 8, 12).trim()}" (not AVI video)`;
  const sample = head.subarray(0, 512);
  const textLike = sample.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f));
  if (textLike) return "a text file";
  return "data in no video format we recognise";
}
