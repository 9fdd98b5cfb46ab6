import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { env } from "@/lib/env";

export const TEMP_DIR_PREFIX = "clipcrafter-media-";

/** The folder scratch directories are made in: MEDIA_TEMP_DIR, else the system temp folder. */
export function mediaTempRoot(): string {
  return env().MEDIA_TEMP_DIR ?? os.tmpdir();
}

/**
 * Runs `work` with a fresh scratch directory and removes it afterwards, whether `work`
 * returned, threw or its ffmpeg was killed: media steps never leave files behind.
 */
export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const root = mediaTempRoot();
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, TEMP_DIR_PREFIX));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
