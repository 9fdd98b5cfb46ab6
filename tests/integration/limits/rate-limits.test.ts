import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as devLogin } from "@/app/api/auth/dev-login/route";
import { POST as storeSession } from "@/app/api/auth/session/route";
import { POST as createImport } from "@/app/api/imports/route";
import { GET as projectEvents } from "@/app/api/projects/[id]/events/route";
import { POST as retryProject } from "@/app/api/projects/[id]/retry/route";
import { GET as projectChanges } from "@/app/api/projects/events/route";
import { POST as createUpload } from "@/app/api/uploads/route";
import { POST as registerEndpoint } from "@/app/api/webhooks/endpoints/route";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { callRoute } from "../../support/routes";
import { createTestUser, testUser, type TestUser } from "../../support/users";
import { insertProject } from "../projects/fixtures";

// Each limit with a small window set through its setting: the requests up to the limit pass
// the limiter (they answer whatever the route answers), the next one is 429 rate_limited with
// Retry-After and a message, and once Retry-After has passed the route answers again. The
// counters live in Postgres (rate_limits.counters), where every server instance reads them.

// Long enough that three requests land in one window on a busy machine, short enough to wait out.
const WINDOW_SECONDS = 4;
const settings = {
  RATE_LIMIT_SIGN_IN: `2/${WINDOW_SECONDS}s`,
  RATE_LIMIT_UPLOADS: `2/${WINDOW_SECONDS}s`,
  RATE_LIMIT_IMPORTS: `2/${WINDOW_SECONDS}s`,
  RATE_LIMIT_WEBHOOK_ENDPOINTS: `2/${WINDOW_SECONDS}s`,
  RATE_LIMIT_RETRIES: `2/${WINDOW_SECONDS}s`,
  SSE_STREAMS_PER_USER: "2",
};

beforeAll(() => setEnvForProcess(settings));

afterAll(() => {
  setEnvForProcess(Object.fromEntries([...Object.keys(settings), "TRUSTED_PROXY_HOPS"].map((key) => [key, undefined])));
});

type Result = Awaited<ReturnType<typeof callRoute>>;

function expectRateLimited(result: Result, what: RegExp) {
  expect(result.status).toBe(429);
  expect(result.body.error.code).toBe("rate_limited");
  expect(result.body.error.message).toMatch(what);
  const retryAfter = Number(result.response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(result.body.error.message).toContain(`Try again in ${retryAfter} second`);
  return retryAfter;
}

const waitSeconds = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));

/** Two requests pass, the third is refused, and after Retry-After one passes again. */
async function provesLimitAndReset(send: () => Promise<Result>, passing: number, what: RegExp) {
  expect((await send()).status).toBe(passing);
  expect((await send()).status).toBe(passing);
  const retryAfter = expectRateLimited(await send(), what);
  await waitSeconds(retryAfter);
  expect((await send()).status).toBe(passing);
}

describe("rate limits per person", () => {
  const user = testUser("limited");

  it("limits upload creation, and the next window is open again", async () => {
    const person = await createTestUser("uploader");
    const send = () =>
      callRoute(createUpload, { method: "POST", headers: person.auth, body: { filename: "talk.mp4", size: 1000, contentType: "video/mp4" } });
    await provesLimitAndReset(send, 201, /Too many new uploads: at most 2 per 4 seconds\./);
  });

  it("limits imports (refused requests count too), and the next window is open again", async () => {
    const send = () => callRoute(createImport, { method: "POST", headers: user.auth, body: { url: "not a link" } });
    await provesLimitAndReset(send, 422, /Too many imports/);
  });

  it("limits webhook registrations, and the next window is open again", async () => {
    const send = () => callRoute(registerEndpoint, { method: "POST", headers: user.auth, body: { url: "ftp://nowhere" } });
    await provesLimitAndReset(send, 422, /Too many webhook registrations/);
  });

  it("limits retries, and the next window is open again", async () => {
    const projectId = await insertProject(user, { status: "ready" });
    const send = () => callRoute(retryProject, { method: "POST", headers: user.auth, params: { id: projectId }, body: {} });
    await provesLimitAndReset(send, 409, /Too many retries/);
  });

  it("counts each person on their own", async () => {
    const first = await createTestUser("busy");
    const second = await createTestUser("calm");
    const send = (person: TestUser) => callRoute(createImport, { method: "POST", headers: person.auth, body: { url: "not a link" } });
    await send(first);
    await send(first);
    expect((await send(first)).status).toBe(429);
    expect((await send(second)).status).toBe(422);
  });

  it("keeps the counts in Postgres, so another server instance sees them", async () => {
    const person = await createTestUser("instances");
    const send = () => callRoute(createImport, { method: "POST", headers: person.auth, body: { url: "not a link" } });
    await send();
    await send();
    // A fresh process has no limiter objects of its own; the count comes from the table.
    delete (globalThis as { clipcrafterRateLimiters?: unknown }).clipcrafterRateLimiters;
    expect((await send()).status).toBe(429);
    const [row] = await db()`select points from rate_limits.counters where key = ${`imports@${WINDOW_SECONDS}s:${person.id}`}`;
    expect(row?.points).toBe(3);
  });

  it("keeps the counters out of reach of the Data API roles", async () => {
    for (const role of ["anon", "authenticated"]) {
      const error = await db()
        .begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`);
          await tx`select count(*) from rate_limits.counters`;
        })
        .catch((e: unknown) => e);
      expect(String(error), role).toMatch(/permission denied/);
    }
  });
});

describe("rate limits on sign-in", () => {
  /** Runs `body` as behind one trusted proxy, from a client address no other test uses. */
  async function behindTrustedProxy(body: (address: string) => Promise<void>) {
    setEnvForProcess({ TRUSTED_PROXY_HOPS: "1" });
    try {
      await body(`198.51.100.${Math.floor(Math.random() * 250) + 1}`);
    } finally {
      setEnvForProcess({ TRUSTED_PROXY_HOPS: undefined });
    }
  }

  it("counts attempts whose token verifies nothing, so a valid one is refused too once they used the limit up, and the next window is open again", async () => {
    const person = await createTestUser("session");
    await behindTrustedProxy(async (address) => {
      const send = (accessToken: string) =>
        callRoute(storeSession, { method: "POST", body: { accessToken }, headers: { "x-forwarded-for": address } });
      const forged = `${"x".repeat(20)}.${"y".repeat(20)}.${"z".repeat(20)}`;
      expect((await send(forged)).status).toBe(401);
      expect((await send(forged)).status).toBe(401);
      const retryAfter = expectRateLimited(await send(person.token), /Too many sign-in attempts: at most 2 per 4 seconds\./);
      await waitSeconds(retryAfter);
      expect((await send(person.token)).status).toBe(200);
    });
  });

  it("without a trusted proxy, refuses tokens that verify nothing once their shared count is used up, while a person's valid token still signs in, counted per account", async () => {
    const person = await createTestUser("session-shared");
    const send = (accessToken: string) => callRoute(storeSession, { method: "POST", body: { accessToken } });
    const forged = `${"x".repeat(20)}.${"y".repeat(20)}.${"z".repeat(20)}`;
    // The count of unverified attempts is shared with any other test sending one meanwhile:
    // that can only bring the refusal sooner, so the third here is refused at the latest.
    const statuses = [(await send(forged)).status, (await send(forged)).status];
    expect(statuses.every((status) => status === 401 || status === 429), String(statuses)).toBe(true);
    const retryAfter = expectRateLimited(await send(forged), /Too many sign-in attempts: at most 2 per 4 seconds\./);

    // A stranger's bad tokens hold no one else back: the person signs in, up to their own limit.
    expect((await send(person.token)).status).toBe(200);
    expect((await send(person.token)).status).toBe(200);
    expectRateLimited(await send(person.token), /Too many sign-in attempts/);

    await waitSeconds(retryAfter);
    expect((await send(forged)).status).toBe(401);
  });

  it("behind a trusted proxy, limits local sign-in per client address whatever email it names or address it prepends", async () => {
    await behindTrustedProxy(async (address) => {
      const send = (spoofed: string) =>
        callRoute(devLogin, {
          method: "POST",
          body: { email: `many-${randomUUID()}@example.com` },
          headers: { "x-forwarded-for": `${spoofed}, ${address}` },
        });
      expect((await send("10.0.0.1")).status).toBe(200);
      expect((await send("10.0.0.2")).status).toBe(200);
      const retryAfter = expectRateLimited(await send("10.0.0.3"), /Too many sign-in attempts/);
      const elsewhere = await callRoute(devLogin, {
        method: "POST",
        body: { email: `elsewhere-${randomUUID()}@example.com` },
        headers: { "x-forwarded-for": `${address}, 192.0.2.77` },
      });
      expect(elsewhere.status).toBe(200);
      await waitSeconds(retryAfter);
      expect((await send("10.0.0.4")).status).toBe(200);
    });
  });

  it("without a trusted proxy, counts every client's local sign-ins together, whatever email or X-Forwarded-For each sends", async () => {
    // One count for the route, shared with any other test signing in meanwhile: that can
    // only bring the refusal sooner, so the third attempt here is refused at the latest.
    const send = (i: number) =>
      callRoute(devLogin, { method: "POST", body: { email: `shared-${i}-${randomUUID()}@example.com` }, headers: { "x-forwarded-for": `203.0.113.${i}` } });
    const statuses = [(await send(1)).status, (await send(2)).status];
    const third = await send(3);
    expect(statuses.every((status) => status === 200 || status === 429), String(statuses)).toBe(true);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe("rate_limited");
    expect(third.body.error.message).toMatch(/Too many sign-in attempts/);
    expect(Number(third.response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("open live-update streams per person", () => {
  function open(person: TestUser) {
    const client = new AbortController();
    const request = new Request("http://localhost:3000/api/projects/events", { headers: person.auth, signal: client.signal });
    return { client, response: projectChanges(request, { params: Promise.resolve({}) }) };
  }

  async function asResult(response: Response): Promise<Result> {
    const text = response.status === 200 ? "" : await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, response };
  }

  it("refuses a stream beyond SSE_STREAMS_PER_USER with 429, and closing one frees its slot", async () => {
    const person = await createTestUser("streams");
    const projectId = await insertProject(person, { status: "processing" });
    const first = open(person);
    expect((await first.response).status).toBe(200);
    const second = new AbortController();
    const secondResponse = await projectEvents(
      new Request(`http://localhost:3000/api/projects/${projectId}/events`, { headers: person.auth, signal: second.signal }),
      { params: Promise.resolve({ id: projectId }) },
    );
    expect(secondResponse.status).toBe(200);

    const third = open(person);
    const refused = await asResult(await third.response);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.body.error.message).toMatch(/already have 2 live update streams open/);
    expect(Number(refused.response.headers.get("retry-after"))).toBeGreaterThan(0);

    // Someone else is not held back by this person's streams.
    const stranger = await createTestUser("other-streams");
    const theirs = open(stranger);
    expect((await theirs.response).status).toBe(200);
    theirs.client.abort();

    second.abort();
    await vi.waitFor(
      async () => {
        const again = open(person);
        const response = await again.response;
        if (response.status !== 200) {
          await response.text();
          throw new Error(`still ${response.status}`);
        }
        again.client.abort();
      },
      { timeout: 10_000, interval: 200 },
    );
    first.client.abort();
  });

  it("frees the slot when opening the stream fails (a project that is not theirs)", async () => {
    const person = await createTestUser("stream-404");
    for (let i = 0; i < 3; i++) {
      const response = await projectEvents(
        new Request(`http://localhost:3000/api/projects/${randomUUID()}/events`, { headers: person.auth }),
        { params: Promise.resolve({ id: randomUUID() }) },
      );
      expect(response.status).toBe(404);
    }
  });
});
