/** The S3 error code of a failed storage call ("NoSuchUpload", "InvalidPart", …), if it has one. */
export function storageErrorName(error: unknown): string | undefined {
  if (error && typeof error === "object" && "name" in error && typeof error.name === "string") return error.name;
  return undefined;
}

// Codes with which CompleteMultipartUpload says the part list does not match what was
// uploaded: missing, changed or too-small parts. Uploading them again fixes it.
export const PART_LIST_REJECTED = new Set(["InvalidPart", "InvalidPartOrder", "EntityTooSmall"]);
