import { randomBytes } from "node:crypto";

/** 32 random bytes, base64url: 43 characters nobody can guess or enumerate. */
export function newShareToken(): string {
  return randomBytes(32).toString("base64url");
}

/** 16 random bytes, hex: the folder of one shared output (lib/storage/keys.ts sharedKeys). */
export function newSharedOutputId(): string {
  return randomBytes(16).toString("hex");
}
