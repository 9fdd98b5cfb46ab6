import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newSharedOutputId } from "@/lib/clips/share-token";
import { db } from "@/lib/db/client";
import { updateRunStateWithEvent } from "@/lib/db/queries/processing";
import { recordSharedOutputIds } from "@/lib/db/queries/stored-keys";
import { testUser } from "@/tests/support/users";

// Writes a processing run makes in one statement each: a stage change with its timeline
// event, and the shared-output ids of its clips.

const user = testUser("run-writes");

async function processingProject(runId: string): Promise<string> {
  const [row] = await db()<{ id: string }[]>`
    insert into projects (user_id, title, status, stage, progress, source_type, processing_run_id)
    values (${user.id}, 'run writes', 'processing', 'probe', 10, 'upload', ${runId})
    returning id`;
  return row!.id;
}

async function projectState(projectId: string) {
  const [row] = await db()<{ stage: string; progress: number }[]>`select stage, progress from projects where id = ${projectId}`;
  const events = await db()<{ kind: string; message: string; data: unknown }[]>`
    select kind, message, data from project_events where project_id = ${projectId} order by id`;
  return { ...row!, events };
}

describe("a stage change and its timeline event", () => {
  it("are written together while the run holds the project", async () => {
    const runId = randomUUID();
    const projectId = await processingProject(runId);
    const held = await updateRunStateWithEvent(
      db(),
      { projectId, userId: user.id, runId, stage: "remux", progress: 30 },
      { kind: "stage_started", message: "Making the web MP4", data: { stage: "remux" } },
    );
    expect(held).toBe(true);
    expect(await projectState(projectId)).toEqual({
      stage: "remux",
      progress: 30,
      events: [{ kind: "stage_started", message: "Making the web MP4", data: { stage: "remux" } }],
    });
  });

  it("write nothing, neither the stage nor the event, once another run holds the project or it belongs to someone else", async () => {
    const runId = randomUUID();
    const projectId = await processingProject(runId);
    const event = { kind: "stage_completed" as const, message: "Web MP4 ready", data: { stage: "remux" } };
    expect(await updateRunStateWithEvent(db(), { projectId, userId: user.id, runId: randomUUID(), stage: "thumbnail", progress: 60 }, event)).toBe(false);
    expect(await updateRunStateWithEvent(db(), { projectId, userId: randomUUID(), runId, stage: "thumbnail", progress: 60 }, event)).toBe(false);
    expect(await projectState(projectId)).toEqual({ stage: "probe", progress: 10, events: [] });
  });
});

describe("the shared-output ids of a run's clips", () => {
  it("are drawn once per position and reused by a retry, which draws ids only for positions it adds", async () => {
    const projectId = await processingProject(randomUUID());
    const first = await recordSharedOutputIds(db(), { userId: user.id, projectId, positions: [1, 2, 3], newId: newSharedOutputId });
    expect([...first!.keys()].sort()).toEqual([1, 2, 3]);
    expect(new Set(first!.values()).size).toBe(3);

    const retry = await recordSharedOutputIds(db(), { userId: user.id, projectId, positions: [1, 2, 3, 4], newId: newSharedOutputId });
    for (const position of [1, 2, 3]) expect(retry!.get(position)).toBe(first!.get(position));
    expect(retry!.get(4)).toMatch(/^[0-9a-f]{32}$/);
    expect([...first!.values()]).not.toContain(retry!.get(4));
  });

  it("records nothing for a project that is gone or is not the owner's", async () => {
    const gone = await recordSharedOutputIds(db(), { userId: user.id, projectId: randomUUID(), positions: [1], newId: newSharedOutputId });
    expect(gone).toBeNull();
    const projectId = await processingProject(randomUUID());
    const stranger = await recordSharedOutputIds(db(), { userId: randomUUID(), projectId, positions: [1], newId: newSharedOutputId });
    expect(stranger).toBeNull();
    const [row] = await db()<{ count: number }[]>`select count(*)::int as count from shared_outputs where project_id = ${projectId}`;
    expect(row!.count).toBe(0);
  });
});
