import { beforeAll, describe, expect, it } from "vitest";
import { removeJobRunnerAfter } from "../../support/job-runner";
import { testUser } from "../../support/users";
import {
  MiB,
  mp4Bytes,
  ProcessEventProbe,
  projectRow,
  routes,
  uploadParts,
  uploadRow,
  withSmallMultipartThresholds,
} from "./upload-client";

describe("another user's upload", () => {
  withSmallMultipartThresholds();
  removeJobRunnerAfter("all");
  const alice = testUser("alice");
  const mallory = testUser("mallory");
  let upload: { uploadId: string; projectId: string };

  beforeAll(async () => {
    ProcessEventProbe.install();
    const data = mp4Bytes(5 * MiB + 100);
    upload = (await routes.create(alice, { filename: "private.mp4", size: data.length, contentType: "video/mp4" })).body;
    await uploadParts(alice, upload.uploadId, data, 5 * MiB, [1, 2]);
  });

  const attempts: [string, () => Promise<{ status: number; body: any }>][] = [
    ["GET /api/uploads/:id", () => routes.status(mallory, upload.uploadId)],
    ["POST /api/uploads/:id/parts", () => routes.signParts(mallory, upload.uploadId, [1])],
    ["PUT /api/uploads/:id/parts/:n", () => routes.recordPart(mallory, upload.uploadId, 1, { etag: '"forged"', size: 5 * MiB })],
    [
      "PATCH /api/uploads/:id/parts",
      () => routes.recordParts(mallory, upload.uploadId, { parts: [{ partNumber: 2, etag: '"forged"', size: 100 }] }),
    ],
    ["POST /api/uploads/:id/complete", () => routes.complete(mallory, upload.uploadId)],
    ["DELETE /api/uploads/:id", () => routes.abort(mallory, upload.uploadId)],
  ];

  it.each(attempts)("is a 404 on %s", async (_route, attempt) => {
    const response = await attempt();
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
  });

  it("is left exactly as it was by every one of those calls", async () => {
    for (const [, attempt] of attempts) await attempt();
    expect(await uploadRow(upload.uploadId)).toMatchObject({ status: "uploading", claimedAt: null });
    expect((await projectRow(upload.projectId)).status).toBe("uploading");
    const status = await routes.status(alice, upload.uploadId);
    expect(status.body).toMatchObject({ receivedParts: [1, 2], receivedBytes: 5 * MiB + 100 });
  });

  it("is a 404 for an id that is not a UUID, and a 401 without a token", async () => {
    expect((await routes.status(alice, "not-a-uuid")).status).toBe(404);
    expect((await routes.complete(alice, "../../etc")).status).toBe(404);
    const anonymous = { ...alice, auth: { authorization: "" } };
    expect((await routes.status(anonymous, upload.uploadId)).status).toBe(401);
  });
});
