import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { envSource, setEnvForProcess } from "@/lib/env";
import { locateMediaTool } from "@/lib/media/binaries";
import { ytDlpPath } from "@/lib/imports/resolve-web-page";
import { findOnPath } from "@/lib/system/find-on-path";

let root: string;
const inherited = envSource().PATH;

async function fakeBinary(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, "#!/bin/sh\nexit 0\n");
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-find-on-path-"));
});

afterEach(() => {
  setEnvForProcess({ PATH: inherited });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("finding a command on PATH", () => {
  it("takes the copy in the earliest PATH directory that has it, skipping empty entries", async () => {
    const first = await fakeBinary(path.join(root, "first"), "tool");
    await fakeBinary(path.join(root, "second"), "tool");
    setEnvForProcess({ PATH: ["", path.join(root, "empty"), path.join(root, "first"), path.join(root, "second")].join(path.delimiter) });
    expect(findOnPath("tool")).toBe(first);
  });

  it("finds nothing when no PATH directory has the command, or PATH is unset", () => {
    setEnvForProcess({ PATH: path.join(root, "first") });
    expect(findOnPath("not-there")).toBeUndefined();
    setEnvForProcess({ PATH: undefined });
    expect(findOnPath("tool")).toBeUndefined();
  });

  it("is how both ffmpeg and yt-dlp are found", async () => {
    const dir = path.join(root, "tools");
    const ffmpeg = await fakeBinary(dir, "ffmpeg");
    const ytDlp = await fakeBinary(dir, "yt-dlp");
    setEnvForProcess({ PATH: dir });
    expect(locateMediaTool("ffmpeg", {})).toEqual({ tool: "ffmpeg", path: ffmpeg, from: "PATH" });
    expect(ytDlpPath()).toBe(ytDlp);
  });
});
