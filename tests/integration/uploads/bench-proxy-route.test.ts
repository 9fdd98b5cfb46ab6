import { afterEach, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { getObjectRange, headObject } from "@/lib/storage/objects";
import * as proxyRoute from "@/app/api/bench/proxy-upload/route";
import { createTestUser } from "../../support/users";

async function putThroughApp(headers: Record<string, string>, body: Buffer) {
  const request = new Request("http://localhost:3000/api/bench/proxy-upload", {
    method: "PUT",
    headers: { ...headers, "content-length": String(body.length) },
    body: new Uint8Array(body),
  });
  const response = await proxyRoute.PUT(request, { params: Promise.resolve({}) });
  return { status: response.status, body: await response.json() };
}

describe("the benchmark's proxied-upload baseline route", () => {
  afterEach(() => {
    setEnvForProcess({ BENCH_ROUTES: undefined });
  });

  it("does not exist unless BENCH_ROUTES is set, signed in or not", async () => {
    const user = await createTestUser("bench");
    expect((await putThroughApp(user.auth, Buffer.from("bytes"))).status).toBe(404);
    expect((await putThroughApp({}, Buffer.from("bytes"))).status).toBe(404);
  });

  it("streams the request body to storage when BENCH_ROUTES is set", async () => {
    setEnvForProcess({ BENCH_ROUTES: "true" });
    const user = await createTestUser("bench");
    const bytes = Buffer.alloc(300_000, 7);
    const stored = await putThroughApp(user.auth, bytes);
    expect(stored.status).toBe(201);
    expect(stored.body.key).toMatch(new RegExp(`^bench/${user.id}/`));
    expect((await headObject(stored.body.key))?.size).toBe(bytes.length);
    expect(await getObjectRange(stored.body.key, 0, 3)).toEqual(bytes.subarray(0, 4));
    expect((await putThroughApp({}, bytes)).status).toBe(401);
  });
});
