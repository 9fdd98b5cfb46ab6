import { beforeEach, describe, expect, it } from "vitest";
import { headObject } from "@/lib/storage/objects";
import { removeJobRunnerAfter } from "../../support/job-runner";
import { testUser } from "../../support/users";
import { outboxRows, ProcessEventProbe, projectRow, putToStorage, routes, timelineKinds, uploadRow } from "./upload-client";

const hlsPlaylist = Buffer.from(
  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nhttps://cdn.example.com/segment0.ts\n#EXT-X-ENDLIST\n",
);
const textFile = Buffer.from("Meeting notes\n\n- ship the upload flow\n- write the tests\n".repeat(20));

describe("completion verifies the stored bytes are a video", () => {
  const user = testUser("verify", { each: true });
  let probe: ProcessEventProbe;
  beforeEach(() => {
    probe = ProcessEventProbe.install();
  });
  removeJobRunnerAfter("all");

  it.each([
    ["a text file renamed .mp4", textFile, "a text file"],
    ["an HLS playlist renamed .mp4", hlsPlaylist, "an HLS playlist"],
  ])("refuses %s with 422, shows the error on the project and deletes the object", async (_case, bytes, looksLike) => {
    const { body } = await routes.create(user, { filename: "holiday.mp4", size: bytes.length, contentType: "video/mp4" });
    expect((await putToStorage(body.url, bytes, body.headers)).status).toBe(200);

    const response = await routes.complete(user, body.uploadId);
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("not_a_video");
    expect(response.body.error.message).toContain(looksLike);

    const project = await projectRow(body.projectId);
    expect(project).toMatchObject({ status: "error", errorCode: "not_a_video", r2Key: null });
    expect(project.errorMessage).toContain(looksLike);
    expect(await timelineKinds(body.projectId)).toEqual(["upload_started", "error"]);
    expect(await uploadRow(body.uploadId)).toMatchObject({ status: "failed", errorCode: "not_a_video" });
    expect(await headObject(body.key)).toBeNull();
    expect(await outboxRows(body.projectId)).toEqual([]);
    expect(probe.sent).toEqual([]);

    const again = await routes.complete(user, body.uploadId);
    expect(again.status).toBe(422);
    expect(again.body.error.message).toContain(looksLike);
    expect((await routes.status(user, body.uploadId)).body).toMatchObject({
      status: "failed",
      complete: false,
      error: { code: "not_a_video" },
    });
  });

  it("accepts WebM and AVI headers and queues them", async () => {
    const webm = Buffer.concat([
      Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04]),
      Buffer.from([0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, ...Buffer.from("webm"), 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02]),
      Buffer.alloc(2000, 7),
    ]);
    const avi = Buffer.concat([Buffer.from("RIFF"), Buffer.from([0xf0, 0x07, 0, 0]), Buffer.from("AVI LIST"), Buffer.alloc(2000, 1)]);
    for (const [filename, contentType, bytes] of [
      ["a.webm", "video/webm", webm],
      ["a.avi", "video/x-msvideo", avi],
    ] as const) {
      const { body } = await routes.create(user, { filename, size: bytes.length, contentType });
      await putToStorage(body.url, bytes, body.headers);
      const response = await routes.complete(user, body.uploadId);
      expect(response.body).toEqual({ projectId: body.projectId, status: "queued" });
    }
  });
});
