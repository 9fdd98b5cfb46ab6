import { randomBytes } from "node:crypto";

/** 32 random bytes, base64url: 43 characters nobody can guess or enumerate. */
export function newShareToken(): string {
  return randomBytes(32).toString("base64url");
}
