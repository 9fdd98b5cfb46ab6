import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { MediaInput } from "@/lib/media/media-input";
import { mediaTempRoot, TEMP_DIR_PREFIX } from "@/lib/media/temp-dir";
import { storedMedia } from "./stored-media";

// The web MP4 a run makes stays on this machine until the run ends, so the steps after it
// (thumbnail, clips) read it from local disk instead of downloading it again over many
// range requests. It is only a shortcut: a step that runs on another worker, or after a
// restart, finds no copy and reads the stored object, which stays the source of truth.
// The copy goes when the run ends — ready, failed, cancelled — and a copy a crashed
// worker left behind is swept once it is older than any run can last.

const WORKSPACE_PREFIX = `${TEMP_DIR_PREFIX}run-`;
/** Far beyond the longest run (every ffmpeg step bounded by FFMPEG_TIMEOUT_SECONDS, a few retries). */
export const STALE_WORKSPACE_MS = 24 * 3600 * 1000;

type RunRef = { projectId: string; runId: string };

function workspaceDir(run: RunRef): string {
  return path.join(mediaTempRoot(), `${WORKSPACE_PREFIX}${run.projectId}-${run.runId}`);
}

/** Moves a file this run made (and stored) into the run's workspace, for its later steps. */
export async function keepForLaterSteps(run: RunRef, name: string, file: string): Promise<void> {
  const dir = workspaceDir(run);
  await mkdir(dir, { recursive: true });
  await rename(file, path.join(dir, name));
}

/** The run's local copy of `name` when this machine has it, else the stored object `key`. */
export async function mediaFromWorkspace(run: RunRef & { userId: string }, name: string, key: string): Promise<MediaInput> {
  const file = path.join(workspaceDir(run), name);
  const local = await stat(file).catch(() => null);
  return local?.isFile() ? { file } : storedMedia(run.userId, key);
}

/** Removes one run's workspace, or with no run id every workspace of the project. */
export async function removeRunWorkspace(run: { projectId: string; runId?: string }): Promise<void> {
  if (run.runId) {
    await rm(workspaceDir({ projectId: run.projectId, runId: run.runId }), { recursive: true, force: true });
    return;
  }
  const prefix = `${WORKSPACE_PREFIX}${run.projectId}-`;
  const names = await readdir(mediaTempRoot()).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(path.join(mediaTempRoot(), n), { recursive: true, force: true })));
}

/** Removes workspaces older than `maxAgeMs` (a worker that crashed mid-run left them). */
export async function sweepStaleWorkspaces(now = Date.now(), maxAgeMs = STALE_WORKSPACE_MS): Promise<number> {
  const root = mediaTempRoot();
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n.startsWith(WORKSPACE_PREFIX));
  let removed = 0;
  for (const name of names) {
    const info = await stat(path.join(root, name)).catch(() => null);
    if (info && now - info.mtimeMs > maxAgeMs) {
      await rm(path.join(root, name), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
