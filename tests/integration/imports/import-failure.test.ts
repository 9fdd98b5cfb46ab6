import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { importedSourceKey } from "@/lib/imports/download-source";
import { recordImportFailure, verifyAndQueueImport } from "@/lib/imports/import-source";
import { headObject, putObject } from "@/lib/storage/objects";
import { createTestUser } from "../../support/users";
import { insertProject } from "../projects/fixtures";

describe("recording a failed import", () => {
  const url = "https://videos.example.com/holiday.mp4";

  it("deletes nothing when the event's ids do not name that person's import of that link", async () => {
    const owner = await createTestUser("importer");
    const projectId = await insertProject(owner, { sourceType: "url", sourceUrl: url, status: "uploading" });
    const key = importedSourceKey(owner.id, projectId, url);
    await putObject(key, Buffer.from("partial download"), { contentType: "video/mp4" });
    const other = await createTestUser("other");

    await recordImportFailure(db(), { projectId, userId: other.id, url }, { message: "boom" });
    const [row] = await db()<{ status: string }[]>`select status from projects where id = ${projectId}`;
    expect(row!.status).toBe("uploading");
    await recordImportFailure(db(), { projectId, userId: owner.id, url: "https://videos.example.com/other/holiday.mp4" }, { message: "boom" });
    expect(await headObject(key)).not.toBeNull();

    await recordImportFailure(db(), { projectId, userId: owner.id, url }, { message: "boom" });
    expect(await headObject(key)).toBeNull();
    const [after] = await db()<{ status: string }[]>`select status from projects where id = ${projectId}`;
    expect(after!.status).toBe("error");
  });

  it("refuses a downloaded file that is not a video without deleting a key outside the person's prefix", async () => {
    const owner = await createTestUser("importer");
    const victim = await createTestUser("other");
    const projectId = await insertProject(owner, { sourceType: "url", sourceUrl: url, status: "uploading" });
    const theirs = importedSourceKey(victim.id, projectId, url);
    const bytes = Buffer.from("just some notes, not a video");
    await putObject(theirs, bytes, { contentType: "video/mp4" });

    await expect(verifyAndQueueImport(db(), { projectId, userId: owner.id, url, key: theirs, size: bytes.length })).rejects.toThrow();

    const [row] = await db()<{ status: string; errorCode: string }[]>`select status, error_code as "errorCode" from projects where id = ${projectId}`;
    expect(row).toEqual({ status: "error", errorCode: "not_a_video" });
    expect(await headObject(theirs)).not.toBeNull();
  });
});
