import { AppError } from "@/lib/api/errors";

// The containers an upload may declare: each extension with the MIME types browsers and
// tools report for it. Both must be on the list and must agree.
export const videoTypes: Record<string, readonly string[]> = {
  mp4: ["video/mp4"],
  m4v: ["video/x-m4v", "video/mp4"],
  mov: ["video/quicktime"],
  webm: ["video/webm"],
  mkv: ["video/x-matroska", "video/matroska"],
  avi: ["video/x-msvideo", "video/avi", "video/msvideo"],
};

const allowedList = "MP4, MOV, M4V, WebM, MKV or AVI";

export function fileExtension(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/**
 * The content type to sign into the upload URL, when the file's extension and declared
 * MIME type are both an allowed video container and consistent; otherwise a 415 that
 * says what is accepted.
 */
export function checkVideoType(filename: string, contentType: string): string {
  const extension = fileExtension(filename);
  const mime = contentType.split(";")[0]!.trim().toLowerCase();
  const mimesForExtension = videoTypes[extension];
  if (!mimesForExtension) {
    throw new AppError(
      "unsupported_media_type",
      extension
        ? `".${extension}" files are not supported. Upload a video file: ${allowedList}.`
        : `The file name has no extension. Upload a video file: ${allowedList}.`,
      { extension },
    );
  }
  if (!mimesForExtension.includes(mime)) {
    const known = Object.values(videoTypes).some((list) => list.includes(mime));
    throw new AppError(
      "unsupported_media_type",
      known
        ? `The file's type (${mime}) does not match its extension (.${extension}). Rename the file or send its real type (${mimesForExtension[0]}).`
        : `"${mime || "(none)"}" is not a supported video type. Upload a video file: ${allowedList}.`,
      { extension, contentType: mime },
    );
  }
  return mime;
}
