import { beforeAll, describe, expect, it } from "vitest";
import { AppError, toErrorResponse } from "@/lib/api/errors";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { deleteObject, headObject } from "@/lib/storage/objects";
import { abortUpload } from "@/lib/uploads/abort-upload";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { db } from "@/lib/db/client";
import { removeJobRunnerAfter } from "../../support/job-runner";
import { testUser } from "../../support/users";
import {
  MiB,
  mp4Bytes,
  ProcessEventProbe,
  projectRow,
  putToStorage,
  routes,
  timelineKinds,
  uploadParts,
  uploadRow,
  withSmallMultipartThresholds,
} from "./upload-client";

describe("aborting an upload", () => {
  withSmallMultipartThresholds();
  beforeAll(() => ProcessEventProbe.install());
  removeJobRunnerAfter("all");
  const user = testUser("abort", { each: true });
  const data = mp4Bytes(5 * MiB + 2048);

  async function startMultipart() {
    const created = await routes.create(user, { filename: "abort.mp4", size: data.length, contentType: "video/mp4" });
    await uploadParts(user, created.body.uploadId, data, 5 * MiB, [1]);
    const [row] = await db()<{ storageUploadId: string }[]>`
      select storage_upload_id as "storageUploadId" from uploads where id = ${created.body.uploadId}`;
    return { ...created.body, storageUploadId: row!.storageUploadId } as {
      uploadId: string;
      projectId: string;
      key: string;
      storageUploadId: string;
    };
  }

  it("aborts in storage, then marks the upload aborted, clears the manifest and cancels the project", async () => {
    const upload = await startMultipart();
    const response = await routes.abort(user, upload.uploadId);
    expect(response.status).toBe(204);

    // Storage no longer knows the multipart upload.
    await expect(abortMultipartUpload(upload.key, upload.storageUploadId)).rejects.toMatchObject({ name: "NoSuchUpload" });
    expect((await uploadRow(upload.uploadId)).status).toBe("aborted");
    expect((await routes.status(user, upload.uploadId)).body).toMatchObject({ status: "aborted", receivedParts: [] });
    expect((await projectRow(upload.projectId)).status).toBe("canceled");
    expect(await timelineKinds(upload.projectId)).toEqual(["upload_started", "upload_aborted"]);

    expect((await routes.abort(user, upload.uploadId)).status).toBe(204);
    expect((await routes.signParts(user, upload.uploadId, [2])).status).toBe(409);
    const complete = await routes.complete(user, upload.uploadId);
    expect(complete.status).toBe(409);
    expect(complete.body.error.message).toContain("cancelled");
  });

  it("answers 204 to a cancel sent twice at once (a double click), and aborts once", async () => {
    const upload = await startMultipart();
    const answers = await Promise.all([routes.abort(user, upload.uploadId), routes.abort(user, upload.uploadId)]);
    expect(answers.map((a) => a.status)).toEqual([204, 204]);

    // The second arriving while the first holds its claim and waits on storage.
    const another = await startMultipart();
    let second: Promise<{ status: number }> | undefined;
    await abortUpload(
      { claims: user.claims, uploadId: another.uploadId },
      {
        abortMultipart: async (key, storageUploadId) => {
          second = routes.abort(user, another.uploadId);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await abortMultipartUpload(key, storageUploadId);
        },
        deleteObject,
      },
    );
    expect((await second!).status).toBe(204);
    expect((await uploadRow(another.uploadId)).status).toBe("aborted");
    expect((await uploadRow(upload.uploadId)).status).toBe("aborted");
    expect((await projectRow(upload.projectId)).status).toBe("canceled");
    expect(await timelineKinds(upload.projectId)).toEqual(["upload_started", "upload_aborted"]);
    await expect(abortMultipartUpload(upload.key, upload.storageUploadId)).rejects.toMatchObject({ name: "NoSuchUpload" });
  });

  it("answers 502 and changes nothing when storage cannot abort, and succeeds when called again", async () => {
    const upload = await startMultipart();
    const storageDown = async () => {
      throw Object.assign(new Error("connect ECONNREFUSED"), { name: "TimeoutError" });
    };
    const failure = await abortUpload(
      { claims: user.claims, uploadId: upload.uploadId },
      { abortMultipart: storageDown, deleteObject: storageDown },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(toErrorResponse(failure).status).toBe(502);
    expect((failure as AppError).code).toBe("storage_error");

    expect((await uploadRow(upload.uploadId)).status).toBe("uploading");
    expect((await routes.status(user, upload.uploadId)).body).toMatchObject({ receivedParts: [1] });
    expect((await projectRow(upload.projectId)).status).toBe("uploading");

    expect((await routes.abort(user, upload.uploadId)).status).toBe(204);
    expect((await uploadRow(upload.uploadId)).status).toBe("aborted");
  });

  it("keeps a completion out while storage aborts, with no transaction open across the storage call", async () => {
    const upload = await startMultipart();
    let completionDuringAbort: unknown;
    await abortUpload(
      { claims: user.claims, uploadId: upload.uploadId },
      {
        abortMultipart: async (key, storageUploadId) => {
          // With a row lock held across this call, the completion would wait on it forever.
          completionDuringAbort = await completeUpload({ userId: user.id, uploadId: upload.uploadId });
          await abortMultipartUpload(key, storageUploadId);
        },
        deleteObject,
      },
    );
    expect(completionDuringAbort).toEqual({ projectId: upload.projectId, status: "alreadyProcessing" });
    expect((await uploadRow(upload.uploadId)).status).toBe("aborted");
    expect((await projectRow(upload.projectId)).status).toBe("canceled");
    await expect(abortMultipartUpload(upload.key, upload.storageUploadId)).rejects.toMatchObject({ name: "NoSuchUpload" });
  });

  it("removes the object a single PUT already stored", async () => {
    const small = mp4Bytes(4096);
    const { body } = await routes.create(user, { filename: "landed.mp4", size: small.length, contentType: "video/mp4" });
    await putToStorage(body.url, small, body.headers);
    expect(await headObject(body.key)).not.toBeNull();
    expect((await routes.abort(user, body.uploadId)).status).toBe(204);
    expect(await headObject(body.key)).toBeNull();
  });

  it("refuses to cancel a completed upload with 409", async () => {
    const small = mp4Bytes(4096);
    const { body } = await routes.create(user, { filename: "done.mp4", size: small.length, contentType: "video/mp4" });
    await putToStorage(body.url, small, body.headers);
    await routes.complete(user, body.uploadId);
    const response = await routes.abort(user, body.uploadId);
    expect(response.status).toBe(409);
    expect((await projectRow(body.projectId)).status).toBe("queued");
  });
});
