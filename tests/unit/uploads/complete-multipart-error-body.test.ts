import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useUnitEnv } from "../../support/unit-env";
import { completeMultipartUpload } from "@/lib/storage/multipart";

// S3 may answer CompleteMultipartUpload with 200 and an <Error> document in the body (the
// assembly failed after the response started). That must count as a failure.
describe("completing a multipart upload when storage answers 200 with an error body", () => {
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/xml" });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    useUnitEnv({ R2_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, R2_FORCE_PATH_STYLE: "true" });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("rejects instead of reporting success", async () => {
    await expect(
      completeMultipartUpload({ key: "uploads/u/up/a.mp4", storageUploadId: "x", parts: [{ partNumber: 1, etag: '"e"' }] }),
    ).rejects.toMatchObject({ name: "InternalError" });
    expect(requests).toBeGreaterThanOrEqual(1);
  });
});
