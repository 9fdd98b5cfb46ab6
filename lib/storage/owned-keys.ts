import { AppError } from "@/lib/api/errors";
import { db } from "@/lib/db/client";
import { listOwnedSharedIds } from "@/lib/db/queries/stored-keys";
import { log } from "@/lib/log";

// No object key is taken on trust: before one is signed or deleted, it must be a key the
// server made for that owner — under the owner's own prefix, or a shared output whose id
// the server recorded for that owner. Rows, payloads and listings only ever name keys;
// this module decides whether they are the owner's.

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** One path segment as the server writes them (ids, safeFilename names): no dot segments, no encodings. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const OWNER_ROOTS = new Set(["uploads", "imports", "projects"]);
const SHARED_KEY = /^shared\/([0-9a-f]{32})\/(?:clip\.mp4|thumbnail\.jpg)$/;
const MAX_KEY_LENGTH = 1024;

/**
 * Whether `key` lies under one of this owner's prefixes (uploads/, imports/ or projects/
 * followed by the owner's id), built of plain segments only: `..`, empty segments, a
 * leading slash, backslashes and %-encodings all fail, so no spelling reaches another folder.
 */
export function isUnderOwnerPrefix(ownerId: string, key: string): boolean {
  if (!UUID.test(ownerId) || typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  const [root, owner, ...rest] = key.split("/");
  if (!root || !OWNER_ROOTS.has(root) || owner !== ownerId || rest.length < 2) return false;
  return rest.every((segment) => SEGMENT.test(segment) && !segment.includes(".."));
}

/** The shared-output id in a key of the shared/<id>/… form, else null. */
export function sharedOutputIdOf(key: string): string | null {
  return typeof key === "string" ? (SHARED_KEY.exec(key)?.[1] ?? null) : null;
}

/**
 * Of `keys`, those this owner may have signed or deleted. One database read, and only
 * when a key is of the shared form. Every refused key is logged for the operator: a row
 * or a payload naming someone else's object is a bug or an attack, never normal.
 */
export async function ownedKeys(ownerId: string, keys: readonly string[], purpose: string): Promise<Set<string>> {
  const owned = new Set<string>();
  const sharedIds = new Map<string, string[]>();
  for (const key of new Set(keys)) {
    if (isUnderOwnerPrefix(ownerId, key)) owned.add(key);
    else {
      const id = UUID.test(ownerId) ? sharedOutputIdOf(key) : null;
      if (id) sharedIds.set(id, [...(sharedIds.get(id) ?? []), key]);
      else refused(ownerId, key, purpose);
    }
  }
  if (sharedIds.size > 0) {
    const recorded = new Set(await listOwnedSharedIds(db(), { userId: ownerId, ids: [...sharedIds.keys()] }));
    for (const [id, idKeys] of sharedIds) {
      for (const key of idKeys) {
        if (recorded.has(id)) owned.add(key);
        else refused(ownerId, key, purpose);
      }
    }
  }
  return owned;
}

export async function isOwnedKey(ownerId: string, key: string, purpose: string): Promise<boolean> {
  return (await ownedKeys(ownerId, [key], purpose)).has(key);
}

/** A key that is not the owner's reads to the person as a missing file (404), never as a server error. */
export class UnownedKeyError extends AppError {
  constructor() {
    super("not_found", "That file was not found.");
    this.name = "UnownedKeyError";
  }
}

export async function assertOwnedKey(ownerId: string, key: string, purpose: string): Promise<void> {
  if (!(await isOwnedKey(ownerId, key, purpose))) throw new UnownedKeyError();
}

function refused(ownerId: string, key: unknown, purpose: string): void {
  log.warn("storage_key_refused", { ownerId, key: typeof key === "string" ? key.slice(0, 300) : String(key), purpose });
}
