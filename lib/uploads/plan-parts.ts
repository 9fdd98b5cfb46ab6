import { choosePartSize } from "@/lib/storage/multipart";

const MiB = 1024 * 1024;

// Keeps every upload at or under 1,000 parts (a 5 GiB file at the 5 MiB minimum part size
// would need 1,024): fewer part URLs to sign and a smaller manifest. The size grows in
// whole MiB and every part but the last stays equal, as R2 requires.
export const TARGET_MAX_PARTS = 1000;

export function planParts(size: number, preferredPartSize: number): { partSize: number; partCount: number } {
  const floor = Math.ceil(size / TARGET_MAX_PARTS / MiB) * MiB;
  return choosePartSize(size, Math.max(preferredPartSize, floor));
}
