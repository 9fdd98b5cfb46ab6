import { randomBytes, randomUUID } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { bucket, storage } from "@/lib/storage/client";
import { deleteObject, getObjectRange, headObject, listObjects, putObject } from "@/lib/storage/objects";
import { presignPut, presignUploadPart } from "@/lib/storage/presign";
import { createMultipartUpload, completeMultipartUpload } from "@/lib/storage/multipart";
import { storedMedia } from "@/lib/processing/stored-media";
import { createTestUser } from "../../support/users";
import { mp4Bytes, routes } from "../uploads/upload-client";

// The local storage server checks AWS Signature V4 on every request, as R2 does: without it
// anyone on the machine (or a web page, through a form POST) could overwrite stored objects.

const objectUrl = (key: string) => `${env().R2_ENDPOINT}/${bucket()}/${key}`;

async function errorCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];
}

async function storedText(key: string): Promise<string> {
  const head = await headObject(key);
  return head ? (await getObjectRange(key, 0, head.size - 1)).toString() : "(missing)";
}

/** A client with the storage credentials that changes one header after the SDK signed the request. */
function clientTamperingAfterSigning(header: string, value: string): S3Client {
  const e = env();
  const client = new S3Client({
    endpoint: e.R2_ENDPOINT,
    region: e.R2_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: e.R2_ACCESS_KEY_ID, secretAccessKey: e.R2_SECRET_ACCESS_KEY },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
  // The deserialize step runs after signing (finalizeRequest), just before the request is sent.
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers[header] = value;
      return next(args);
    },
    { step: "deserialize", name: "tamperAfterSigning" },
  );
  return client;
}

describe("the local storage server refuses requests not signed with its credentials", () => {
  it("refuses unsigned GET, PUT, DELETE and list with 403 AccessDenied, and leaves the object as it was", async () => {
    const key = `tests/signatures/unsigned-${randomUUID()}.txt`;
    await putObject(key, Buffer.from("original"), { contentType: "text/plain" });

    const get = await fetch(objectUrl(key));
    expect(get.status).toBe(403);
    expect(await errorCode(get)).toBe("AccessDenied");
    const put = await fetch(objectUrl(key), { method: "PUT", body: "planted", headers: { "content-type": "text/plain" } });
    expect(put.status).toBe(403);
    expect(await errorCode(put)).toBe("AccessDenied");
    const del = await fetch(objectUrl(key), { method: "DELETE" });
    expect(del.status).toBe(403);
    expect(await errorCode(del)).toBe("AccessDenied");
    for (const list of [`${env().R2_ENDPOINT}/${bucket()}?list-type=2&prefix=tests/`, `${env().R2_ENDPOINT}/${bucket()}`, `${env().R2_ENDPOINT}/`]) {
      const listed = await fetch(list);
      expect(listed.status).toBe(403);
      expect(await errorCode(listed)).toBe("AccessDenied");
    }

    expect(await storedText(key)).toBe("original");
    await deleteObject(key);
  });

  it("refuses a presigned PUT whose key was changed after signing (SignatureDoesNotMatch)", async () => {
    const signedKey = `tests/signatures/signed-${randomUUID()}.txt`;
    const otherKey = `tests/signatures/other-${randomUUID()}.txt`;
    const url = await presignPut({ key: signedKey, contentType: "text/plain", contentLength: 7, expiresInSeconds: 60 });
    const tampered = url.replace(signedKey, otherKey);
    expect(tampered).not.toBe(url);

    const put = await fetch(tampered, { method: "PUT", body: "planted", headers: { "content-type": "text/plain" } });
    expect(put.status).toBe(403);
    expect(await errorCode(put)).toBe("SignatureDoesNotMatch");
    expect(await headObject(otherKey)).toBeNull();
    expect(await headObject(signedKey)).toBeNull();
  });

  it("refuses a presigned URL past its expiry (AccessDenied, Request has expired), and takes one signed at the same moment that is still within its expiry", async () => {
    const key = `tests/signatures/expiry-${randomUUID()}.txt`;
    await putObject(key, Buffer.from("kept"), { contentType: "text/plain" });
    // Signed by the SDK two minutes ago for one minute.
    const expired = await getSignedUrl(storage(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    const body = await refused.text();
    expect(body).toContain("<Code>AccessDenied</Code>");
    expect(body).toContain("Request has expired");

    const fresh = await getSignedUrl(storage(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
      expiresIn: 180,
      signingDate: new Date(Date.now() - 120_000),
    });
    const taken = await fetch(fresh);
    expect(taken.status).toBe(200);
    expect(await taken.text()).toBe("kept");
    await deleteObject(key);
  });

  it("refuses a presigned PUT sent with another content-length or content-type than signed", async () => {
    const key = `tests/signatures/headers-${randomUUID()}.mp4`;
    const url = await presignPut({ key, contentType: "video/mp4", contentLength: 16, expiresInSeconds: 60 });

    const longer = await fetch(url, { method: "PUT", body: randomBytes(17), headers: { "content-type": "video/mp4" } });
    expect(longer.status).toBe(403);
    expect(await errorCode(longer)).toBe("SignatureDoesNotMatch");
    const otherType = await fetch(url, { method: "PUT", body: randomBytes(16), headers: { "content-type": "text/html" } });
    expect(otherType.status).toBe(403);
    expect(await errorCode(otherType)).toBe("SignatureDoesNotMatch");
    expect(await headObject(key)).toBeNull();

    const right = await fetch(url, { method: "PUT", body: randomBytes(16), headers: { "content-type": "video/mp4" } });
    expect(right.status).toBe(200);
    expect(await headObject(key)).toMatchObject({ size: 16, contentType: "video/mp4" });
    await deleteObject(key);
  });

  it("refuses a header-signed SDK request whose signed header was changed after signing", async () => {
    const key = `tests/signatures/tampered-${randomUUID()}.txt`;
    const client = clientTamperingAfterSigning("content-type", "text/html");
    const sent = client.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: "hello", ContentType: "text/plain" }));
    await expect(sent).rejects.toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403 } });
    expect(await headObject(key)).toBeNull();

    // The same client, tampering with a header that is not signed, gets through: the refusal is the signature's.
    const harmless = clientTamperingAfterSigning("user-agent", "something-else");
    await harmless.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: "hello", ContentType: "text/plain" }));
    expect(await storedText(key)).toBe("hello");
    await deleteObject(key);
  });

  it("refuses a request signed with another secret (SignatureDoesNotMatch) or another access key (InvalidAccessKeyId)", async () => {
    const e = env();
    const key = `tests/signatures/other-secret-${randomUUID()}.txt`;
    const config = { endpoint: e.R2_ENDPOINT, region: e.R2_REGION, forcePathStyle: true, maxAttempts: 1, requestChecksumCalculation: "WHEN_REQUIRED" as const };
    const wrongSecret = new S3Client({ ...config, credentials: { accessKeyId: e.R2_ACCESS_KEY_ID, secretAccessKey: "not-the-secret" } });
    await expect(wrongSecret.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: "x" }))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
    const wrongKey = new S3Client({ ...config, credentials: { accessKeyId: "SOMEONE-ELSE", secretAccessKey: e.R2_SECRET_ACCESS_KEY } });
    await expect(wrongKey.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: "x" }))).rejects.toMatchObject({
      name: "InvalidAccessKeyId",
    });
    expect(await headObject(key)).toBeNull();
  });

  it("refuses a presigned URL with a missing or malformed query-auth parameter (AuthorizationQueryParametersError)", async () => {
    const key = `tests/signatures/params-${randomUUID()}.txt`;
    const url = new URL(await presignPut({ key, contentType: "text/plain", contentLength: 1, expiresInSeconds: 60 }));
    const noDate = new URL(url);
    noDate.searchParams.delete("X-Amz-Date");
    const tooLong = new URL(url);
    tooLong.searchParams.set("X-Amz-Expires", String(8 * 24 * 3600));
    for (const bad of [noDate, tooLong]) {
      const put = await fetch(bad, { method: "PUT", body: "x", headers: { "content-type": "text/plain" } });
      expect(put.status).toBe(400);
      expect(await errorCode(put)).toBe("AuthorizationQueryParametersError");
    }
    expect(await headObject(key)).toBeNull();
  });

  it("refuses an aws-chunked (STREAMING-…) upload, correctly signed, with 501 NotImplemented: the client here never sends one", async () => {
    const e = env();
    const key = `tests/signatures/chunked-${randomUUID()}.txt`;
    const endpoint = new URL(e.R2_ENDPOINT);
    const signer = new SignatureV4({
      credentials: { accessKeyId: e.R2_ACCESS_KEY_ID, secretAccessKey: e.R2_SECRET_ACCESS_KEY },
      region: e.R2_REGION,
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const body = "5;chunk-signature=0\r\nhello\r\n0\r\n\r\n";
    const signed = await signer.sign({
      method: "PUT",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: `/${bucket()}/${key}`,
      query: {},
      headers: {
        host: endpoint.host,
        "content-length": String(body.length),
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": "5",
        "content-encoding": "aws-chunked",
      },
    });
    const put = await fetch(objectUrl(key), { method: "PUT", body, headers: signed.headers });
    expect(put.status).toBe(501);
    expect(await errorCode(put)).toBe("NotImplemented");
    expect(await headObject(key)).toBeNull();
  });

  it("refuses a browser form POST upload from another site, without running any CORS preflight", async () => {
    const key = `tests/signatures/form-${randomUUID()}.txt`;
    const form = new FormData();
    form.set("key", key);
    form.set("file", new Blob(["planted"], { type: "text/plain" }), "x.txt");
    const post = await fetch(`${env().R2_ENDPOINT}/${bucket()}`, { method: "POST", body: form, headers: { origin: "https://evil.example" } });
    expect(post.status).toBe(403);
    expect(await errorCode(post)).toBe("AccessDenied");
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    // Also with what looks like query auth in the form's action URL.
    const withQuery = await fetch(`${env().R2_ENDPOINT}/${bucket()}/${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256`, { method: "POST", body: form });
    expect(withQuery.status).toBe(403);
    expect(await headObject(key)).toBeNull();
  });
});

describe("the local storage server still serves correctly signed requests", () => {
  it("answers a CORS preflight without any signature, as S3 and R2 do", async () => {
    const key = `tests/signatures/preflight-${randomUUID()}.mp4`;
    const preflight = await fetch(objectUrl(key), {
      method: "OPTIONS",
      headers: { origin: env().APP_URL, "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("PUT");
  });

  it("takes the SDK's own put, head, list, ranged get and delete (header-signed)", async () => {
    const prefix = `tests/signatures/sdk-${randomUUID()}/`;
    await putObject(`${prefix}a b+c.txt`, Buffer.from("hello world"), { contentType: "text/plain" });
    expect(await headObject(`${prefix}a b+c.txt`)).toMatchObject({ size: 11 });
    expect((await listObjects(prefix)).map((o) => o.key)).toEqual([`${prefix}a b+c.txt`]);
    expect((await getObjectRange(`${prefix}a b+c.txt`, 6, 10)).toString()).toBe("world");
    await deleteObject(`${prefix}a b+c.txt`);
    expect(await headObject(`${prefix}a b+c.txt`)).toBeNull();
  });

  it("takes presigned part PUTs and a presigned GET signed with If-Match, and answers 412 to a stale If-Match", async () => {
    const ownerId = randomUUID();
    const key = `uploads/${ownerId}/${randomUUID()}/parts.mp4`;
    const storageUploadId = await createMultipartUpload(key, "video/mp4");
    const body = randomBytes(1000);
    const partUrl = await presignUploadPart({ key, storageUploadId, partNumber: 1, contentLength: body.length, expiresInSeconds: 60 });
    const part = await fetch(partUrl, { method: "PUT", body });
    expect(part.status).toBe(200);
    await completeMultipartUpload({ key, storageUploadId, parts: [{ partNumber: 1, etag: part.headers.get("etag")! }] });
    const etag = (await headObject(key))!.etag!;

    const media = await storedMedia(ownerId, key, { ifMatch: etag });
    if (!("url" in media)) throw new Error("expected a URL input");
    const read = await fetch(media.url, { headers: media.headers });
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(body)).toBe(true);
    // The If-Match value is signed: another value is a signature mismatch, not a 412.
    const otherValue = await fetch(media.url, { headers: { "If-Match": '"0000"' } });
    expect(otherValue.status).toBe(403);
    expect(await errorCode(otherValue)).toBe("SignatureDoesNotMatch");
    const stale = await storedMedia(ownerId, key, { ifMatch: '"0000"' });
    if (!("url" in stale)) throw new Error("expected a URL input");
    expect((await fetch(stale.url, { headers: stale.headers })).status).toBe(412);
    await deleteObject(key);
  });
});

describe("overwriting another person's output with a presigned upload URL", () => {
  it("fails when B changes the key of the URL for B's own upload to A's web MP4, and A's object is unchanged", async () => {
    const a = await createTestUser("victim");
    const b = await createTestUser("attacker");
    const aOutput = `projects/${a.id}/${randomUUID()}/web.mp4`;
    const original = mp4Bytes(4096);
    await putObject(aOutput, original, { contentType: "video/mp4" });

    const planted = mp4Bytes(4096);
    const created = await routes.create(b, { filename: "mine.mp4", size: planted.length, contentType: "video/mp4" });
    expect(created.status).toBe(201);
    const { key, url, headers } = created.body as { key: string; url: string; headers: Record<string, string> };
    expect(key.startsWith(`uploads/${b.id}/`)).toBe(true);
    const retargeted = url.replace(`/${bucket()}/${key}`, `/${bucket()}/${aOutput}`);
    expect(retargeted).not.toBe(url);

    const attack = await fetch(retargeted, { method: "PUT", body: new Uint8Array(planted), headers });
    expect(attack.status).toBe(403);
    expect(await errorCode(attack)).toBe("SignatureDoesNotMatch");
    expect((await getObjectRange(aOutput, 0, original.length - 1)).equals(original)).toBe(true);

    // The URL as issued still does what it was issued for.
    const own = await fetch(url, { method: "PUT", body: new Uint8Array(planted), headers });
    expect(own.status).toBe(200);
    expect((await headObject(key))?.size).toBe(planted.length);
    await deleteObject(aOutput);
  });
});
