import { existsSync } from "node:fs";
import { mkdtemp, readdir, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import {
  keepForLaterSteps,
  mediaFromWorkspace,
  removeRunWorkspace,
  STALE_WORKSPACE_MS,
  sweepStaleWorkspaces,
} from "@/lib/processing/run-workspace";

// The local copy a run keeps of its web MP4 for its later steps: used when this machine
// has it, the stored object otherwise, and gone when the run ends.

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-workspace-"));
  setEnvForProcess({ MEDIA_TEMP_DIR: root });
});

async function madeFile(name: string, content = "web mp4 bytes"): Promise<string> {
  const file = path.join(root, name);
  await writeFile(file, content);
  return file;
}

const userId = "33333333-3333-4333-8333-333333333333";
const run = { projectId: "11111111-1111-4111-8111-111111111111", runId: "run-a", userId };
const webMp4Key = `projects/${userId}/${run.projectId}/web.mp4`;

describe("a run's local copies", () => {
  it("gives later steps of the same run the local file, moved out of the step's scratch folder", async () => {
    const made = await madeFile("output.mp4");
    await keepForLaterSteps(run, "web.mp4", made);

    const input = await mediaFromWorkspace(run, "web.mp4", webMp4Key);
    expect(input).toEqual({ file: expect.stringContaining(run.runId) });
    expect(existsSync((input as { file: string }).file)).toBe(true);
    expect(existsSync(made)).toBe(false);
  });

  it("gives another run, or a machine without the copy, a signed URL of the stored object", async () => {
    await keepForLaterSteps(run, "web.mp4", await madeFile("output.mp4"));

    const otherRun = await mediaFromWorkspace({ ...run, runId: "run-b" }, "web.mp4", webMp4Key);
    expect(otherRun).toEqual({ url: expect.stringContaining(webMp4Key) });
    expect((otherRun as { url: string }).url).toMatch(/X-Amz-Signature=/);
  });

  it("removes one run's copies, or every run's of a project, and leaves other projects alone", async () => {
    const other = { projectId: "22222222-2222-4222-8222-222222222222", runId: "run-c", userId };
    await keepForLaterSteps(run, "web.mp4", await madeFile("a.mp4"));
    await keepForLaterSteps({ ...run, runId: "run-b" }, "web.mp4", await madeFile("b.mp4"));
    await keepForLaterSteps(other, "web.mp4", await madeFile("c.mp4"));

    await removeRunWorkspace(run);
    expect(await mediaFromWorkspace(run, "web.mp4", webMp4Key)).toHaveProperty("url");
    expect(await mediaFromWorkspace({ ...run, runId: "run-b" }, "web.mp4", webMp4Key)).toHaveProperty("file");

    await removeRunWorkspace({ projectId: run.projectId });
    expect(await mediaFromWorkspace({ ...run, runId: "run-b" }, "web.mp4", webMp4Key)).toHaveProperty("url");
    expect(await mediaFromWorkspace(other, "web.mp4", webMp4Key)).toHaveProperty("file");
  });

  it("sweeps copies older than any run can last (a crashed worker's), keeping recent ones", async () => {
    const old = { projectId: run.projectId, runId: "crashed", userId };
    await keepForLaterSteps(old, "web.mp4", await madeFile("old.mp4"));
    await keepForLaterSteps(run, "web.mp4", await madeFile("new.mp4"));
    const [oldDir] = (await readdir(root)).filter((n) => n.endsWith("-crashed"));
    const longAgo = new Date(Date.now() - STALE_WORKSPACE_MS - 60_000);
    await utimes(path.join(root, oldDir!), longAgo, longAgo);

    expect(await sweepStaleWorkspaces()).toBe(1);
    expect(await mediaFromWorkspace(old, "web.mp4", webMp4Key)).toHaveProperty("url");
    expect(await mediaFromWorkspace(run, "web.mp4", webMp4Key)).toHaveProperty("file");
  });
});
