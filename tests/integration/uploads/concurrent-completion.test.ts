import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { removeJobRunnerAfter } from "../../support/job-runner";
import { createTestUser } from "../../support/users";
import {
  MiB,
  mp4Bytes,
  outboxRows,
  ProcessEventProbe,
  projectRow,
  routes,
  timelineKinds,
  uploadParts,
  withSmallMultipartThresholds,
} from "./upload-client";

describe("concurrent completion", () => {
  withSmallMultipartThresholds();
  removeJobRunnerAfter("all");

  it("turns 50 simultaneous completion calls into exactly one queued transition and one event", async () => {
    const user = await createTestUser("race");
    const probe = ProcessEventProbe.install();
    const data = mp4Bytes(5 * MiB + 4096);
    const created = await routes.create(user, { filename: "race.mp4", size: data.length, contentType: "video/mp4" });
    const { uploadId, projectId } = created.body;
    await uploadParts(user, uploadId, data, 5 * MiB, [1, 2]);

    const responses = await Promise.all(Array.from({ length: 50 }, () => routes.complete(user, uploadId)));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const statuses = responses.map((r) => r.body.status as string);
    expect(statuses.filter((s) => s === "queued")).toHaveLength(1);
    expect(statuses.every((s) => ["queued", "alreadyProcessing", "alreadyComplete"].includes(s))).toBe(true);
    expect(responses.every((r) => r.body.projectId === projectId)).toBe(true);

    await probe.idle();
    expect(probe.sent).toHaveLength(1);
    expect(probe.runs).toBe(1);
    expect(await outboxRows(projectId)).toHaveLength(1);
    expect((await timelineKinds(projectId)).filter((k) => k === "upload_completed")).toHaveLength(1);
    expect((await projectRow(projectId)).status).toBe("queued");
    const [upload] = await db()<{ status: string }[]>`select status from uploads where id = ${uploadId}`;
    expect(upload!.status).toBe("completed");
  });
});
