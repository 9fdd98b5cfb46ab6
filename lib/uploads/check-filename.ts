import { AppError } from "@/lib/api/errors";

export const MAX_FILENAME_CHARACTERS = 255;

// Control characters (C0, DEL, C1) and the Unicode bidirectional embeddings, overrides
// and isolates. An override such as U+202E makes "clip\u202E4pm.exe" display as
// "clipexe.mp4": a name that lies about its type, so it is refused rather than rewritten.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** The first control or text-direction character in `text`, as "U+XXXX", if it has one. */
export function forbiddenCharacter(text: string): string | undefined {
  const found = FORBIDDEN.exec(text);
  return found ? `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : undefined;
}

/**
 * The rule for a file's name: at most 255 characters and none of the characters above.
 * Anything else is kept as the project's title exactly as given (pages render it
 * escaped); the storage key never uses it directly (see safeFilename).
 */
export function checkFilename(filename: string): string {
  if (filename.trim().length === 0) {
    throw new AppError("invalid_filename", "The file needs a name.");
  }
  const characters = [...filename].length;
  if (characters > MAX_FILENAME_CHARACTERS) {
    throw new AppError(
      "invalid_filename",
      `The file name is ${characters} characters long; the limit is ${MAX_FILENAME_CHARACTERS}. Rename the file and try again.`,
      { length: characters, limit: MAX_FILENAME_CHARACTERS },
    );
  }
  const codePoint = forbiddenCharacter(filename);
  if (codePoint) {
    throw new AppError(
      "invalid_filename",
      `The file name contains a control or text-direction character (${codePoint}), which can disguise a file's real type. Rename the file and try again.`,
      { character: codePoint },
    );
  }
  return filename;
}
