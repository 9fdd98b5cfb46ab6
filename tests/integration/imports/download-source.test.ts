import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { downloadSource, WEB_PAGE_MESSAGE } from "@/lib/imports/download-source";
import { getObjectRange, headObject } from "@/lib/storage/objects";
import { startFixtureServer, type FixtureServer } from "../../support/http-fixtures";

const body = Buffer.alloc(6 * 1024 * 1024 + 123);
for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;

const key = () => `imports/test/${randomUUID()}/video.mp4`;

describe("downloading a pasted link into storage", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "127.0.0.1", IMPORT_CONNECT_TIMEOUT_SECONDS: "2", IMPORT_TOTAL_TIMEOUT_SECONDS: "3", UPLOAD_PART_SIZE_BYTES: String(5 * 1024 * 1024) });
    server = await startFixtureServer((req, res) => {
      const path = req.url ?? "/";
      if (path === "/video.mp4") {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": body.length });
        res.end(body);
      } else if (path === "/chunked.mp4") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        for (let i = 0; i < body.length; i += 64 * 1024) res.write(body.subarray(i, i + 64 * 1024));
        res.end();
      } else if (path === "/lies.mp4") {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": body.length * 2 });
        res.write(body);
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (path === "/stalls.mp4") {
        res.writeHead(200, { "content-type": "video/mp4", "content-length": body.length });
        res.write(body.subarray(0, 1024));
      } else if (path === "/never-answers.mp4") {
        // accepts the connection, sends nothing
      } else if (path.startsWith("/hop/")) {
        const n = Number(path.split("/")[2]);
        res.writeHead(302, { location: n > 1 ? `/hop/${n - 1}` : "/video.mp4" });
        res.end();
      } else if (path === "/to-private") {
        res.writeHead(302, { location: "http://10.0.0.7/video.mp4" });
        res.end();
      } else if (path === "/to-metadata") {
        res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" });
        res.end();
      } else if (path === "/page") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end("<!doctype html><title>Watch</title><video src=/video.mp4></video>");
      } else if (path === "/not-found.mp4") {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("nope");
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      }
    });
  });
  afterAll(async () => {
    await server?.close();
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "", IMPORT_CONNECT_TIMEOUT_SECONDS: "10", IMPORT_TOTAL_TIMEOUT_SECONDS: "3600", UPLOAD_PART_SIZE_BYTES: String(16 * 1024 * 1024) });
  });

  it("stores an ordinary video byte for byte, in parts", async () => {
    const k = key();
    const result = await downloadSource({ url: server.url("/video.mp4"), key: k, maxBytes: 100 * 1024 * 1024 });
    expect(result.size).toBe(body.length);
    expect((await headObject(k))?.size).toBe(body.length);
    expect((await getObjectRange(k, body.length - 16, body.length - 1)).equals(body.subarray(body.length - 16))).toBe(true);
  });

  it("stores a chunked response without Content-Length by counting the bytes", async () => {
    const k = key();
    const result = await downloadSource({ url: server.url("/chunked.mp4"), key: k, maxBytes: 100 * 1024 * 1024 });
    expect(result.size).toBe(body.length);
    expect((await headObject(k))?.size).toBe(body.length);
  });

  it("stops a chunked download at the plan's size limit and leaves no object", async () => {
    const k = key();
    await expect(downloadSource({ url: server.url("/chunked.mp4"), key: k, maxBytes: 1024 * 1024 })).rejects.toMatchObject({
      code: "file_too_large",
    });
    expect(await headObject(k)).toBeNull();
  });

  it("refuses up front when the announced length is over the limit", async () => {
    const k = key();
    await expect(downloadSource({ url: server.url("/video.mp4"), key: k, maxBytes: 1024 })).rejects.toMatchObject({
      code: "file_too_large",
    });
    expect(await headObject(k)).toBeNull();
  });

  it("fails a server that sends fewer bytes than it announced and leaves no object", async () => {
    const k = key();
    await expect(downloadSource({ url: server.url("/lies.mp4"), key: k, maxBytes: 100 * 1024 * 1024 })).rejects.toThrow();
    expect(await headObject(k)).toBeNull();
  });

  it("stops a download that stalls past the total time limit", async () => {
    const k = key();
    const started = Date.now();
    await expect(downloadSource({ url: server.url("/stalls.mp4"), key: k, maxBytes: 100 * 1024 * 1024 })).rejects.toThrow(
      /took longer than 3 s/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await headObject(k)).toBeNull();
  });

  it("gives up on a server that never answers", async () => {
    await expect(
      downloadSource({ url: server.url("/never-answers.mp4"), key: key(), maxBytes: 1024 }),
    ).rejects.toThrow(/did not answer within 2 s/);
  });

  it("follows a chain of up to five redirects", async () => {
    const k = key();
    const result = await downloadSource({ url: server.url("/hop/5"), key: k, maxBytes: 100 * 1024 * 1024 });
    expect(result.size).toBe(body.length);
    expect(result.finalUrl).toBe(server.url("/video.mp4"));
  });

  it("refuses a sixth redirect", async () => {
    await expect(downloadSource({ url: server.url("/hop/6"), key: key(), maxBytes: 1024 })).rejects.toThrow(
      /redirects more than 5 times/,
    );
  });

  it("refuses a redirect to a private address without connecting to it", async () => {
    await expect(downloadSource({ url: server.url("/to-private"), key: key(), maxBytes: 1024 })).rejects.toThrow(
      /private network address/,
    );
    await expect(downloadSource({ url: server.url("/to-metadata"), key: key(), maxBytes: 1024 })).rejects.toThrow(
      /link-local/,
    );
  });

  it("says a web page is not a video file", async () => {
    await expect(downloadSource({ url: server.url("/page"), key: key(), maxBytes: 1024, resolveWebPages: false })).rejects.toThrow(
      WEB_PAGE_MESSAGE,
    );
  });

  it("refuses a non-video content type and an error status", async () => {
    await expect(downloadSource({ url: server.url("/data.json"), key: key(), maxBytes: 1024 })).rejects.toThrow(
      /serves application\/json, not a video/,
    );
    await expect(downloadSource({ url: server.url("/not-found.mp4"), key: key(), maxBytes: 1024 })).rejects.toThrow(/HTTP 404/);
  });
});
