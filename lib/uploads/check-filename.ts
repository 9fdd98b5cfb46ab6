import { AppError } from "@/lib/api/errors";

export const MAX_FILENAME_CHARACTERS = 255;

// Control characters (C0, DEL, C1), the line and paragraph separators, and every Unicode
// bidirectional formatting character (Bidi_Control: the marks U+061C, U+200E, U+200F, the
// embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069). An override such
// as U+202E makes "clip\u202E4pm.exe" display as "clipexe.mp4": a name that lies about its
// type, so it is refused rather than rewritten. The database holds titles to the same
// rule (supabase/migrations/20261205070000_titles_without_control_characters.sql).
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

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
