import { beforeAll, describe, expect, it } from "vitest";
import { GET as listProjects } from "@/app/api/projects/route";
import { GET as projectChanges } from "@/app/api/projects/events/route";
import { PATCH as renameProject } from "@/app/api/projects/[id]/route";
import { POST as createImport } from "@/app/api/imports/route";
import { POST as createUpload } from "@/app/api/uploads/route";
import { GET as usage } from "@/app/api/usage/route";
import { POST as storeSession } from "@/app/api/auth/session/route";
import { asUser } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { encodeProjectCursor } from "@/lib/projects/cursor";
import { callRoute } from "../support/routes";
import { createTestUser, testUser } from "../support/users";
import { insertProject } from "./projects/fixtures";

// Input a careless client or an attacker sends: each gets a 4xx with a message a person
// understands, never a 500.

function expectRefusal(result: { status: number; body: any }, status: number, message: RegExp) {
  expect(result.status).toBe(status);
  expect(result.body.error.message).toMatch(message);
}

describe("hostile input", () => {
  const user = testUser("hostile");
  let projectId: string;

  beforeAll(async () => {
    projectId = await insertProject(user, { title: "talk.mp4", status: "ready" });
  });

  it("treats a malformed session cookie as no session (401), whatever its bytes", async () => {
    for (const cookie of ["cc_session=%E0%A4%A", "cc_session=%", "cc_session", "=; ;;=x", "cc_session=\u00ff\u00fe", "sb-abc-auth-token=base64-%%%"]) {
      const result = await callRoute(listProjects, { headers: { cookie } });
      expectRefusal(result, 401, /Sign in|session/i);
    }
  });

  it("refuses control and text-direction characters in a new title, as it does in file names", async () => {
    for (const title of ["clip\u202Egpj.exe", "a\u0000b", "line\nbreak", "\u2066isolate\u2069", "bell\u0007", "ab\u200Fcd", "\u200E", "x\u061Cy", "para\u2029graph"]) {
      const result = await callRoute(renameProject, { method: "PATCH", params: { id: projectId }, headers: user.auth, body: { title } });
      expectRefusal(result, 422, /control or text-direction character \(U\+[0-9A-F]{4}\)/);
    }
    const [row] = await db()<{ title: string }[]>`select title from projects where id = ${projectId}`;
    expect(row!.title).toBe("talk.mp4");
  });

  it("holds titles to the same rule in the database, for a rename through Supabase's Data API", async () => {
    for (const title of ["bidi \u202Eevil\u202C", "bell\u0007", "mark\u200F", "sep\u2028"]) {
      await expect(
        asUser(user.claims, (tx) => tx`update projects set title = ${title} where id = ${projectId}`),
      ).rejects.toThrow(/projects_title_printable/);
    }
    await asUser(user.claims, (tx) => tx`update projects set title = ${"Plain title ✓ 日本語 עברית"} where id = ${projectId}`);
    const [row] = await db()<{ title: string }[]>`select title from projects where id = ${projectId}`;
    expect(row!.title).toBe("Plain title ✓ 日本語 עברית");
    await db()`update projects set title = 'talk.mp4' where id = ${projectId}`;
  });

  it("refuses an import whose file name would carry such characters", async () => {
    for (const path of ["/clip%E2%80%AEgpj.mp4", "/a%00b.mp4", "/x%0A.mp4"]) {
      const result = await callRoute(createImport, { headers: user.auth, body: { url: `https://videos.example.com${path}` } });
      expectRefusal(result, 422, /control or text-direction character/);
    }
  });

  it("refuses an import URL with a broken percent-encoding", async () => {
    for (const url of ["https://videos.example.com/%E0%A4%A.mp4", "https://videos.example.com/clip%.mp4", "https://videos.example.com/%C0%AF.mp4"]) {
      const result = await callRoute(createImport, { headers: user.auth, body: { url } });
      expectRefusal(result, 422, /percent-encoding/);
    }
  });

  it("refuses page cursors and since times outside any real date", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const cursors = [
      encodeProjectCursor({ createdAt: new Date(-8.64e15), id }),
      encodeProjectCursor({ createdAt: new Date(8.64e15), id }),
      Buffer.from(`0000-01-01T00:00:00.000Z|${id}`).toString("base64url"),
      "%%%",
      "A".repeat(5000),
    ];
    for (const before of cursors) {
      const result = await callRoute(listProjects, { path: `/api/projects?before=${encodeURIComponent(before)}`, headers: user.auth });
      expect(result.status, before.slice(0, 40)).toBe(400);
      expect(result.body.error.message).toMatch(/cursor/);
    }
    for (const since of ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999+14:00", "-271821-04-20T00:00:00Z", "tomorrow"]) {
      const result = await callRoute(projectChanges, { path: `/api/projects/events?since=${encodeURIComponent(since)}`, headers: user.auth });
      expect(result.status, since).toBe(422);
      expect(result.body.error.message).toMatch(/since/);
    }
  });

  it("answers 401 to a valid token whose account no longer exists, on reads, writes and storing a session", async () => {
    const gone = await createTestUser("gone");
    await db()`delete from auth.users where id = ${gone.id}`;
    const results = [
      await callRoute(createUpload, { headers: gone.auth, body: { filename: "a.mp4", size: 1000, contentType: "video/mp4" } }),
      await callRoute(createImport, { headers: gone.auth, body: { url: "https://videos.example.com/a.mp4" } }),
      await callRoute(usage, { headers: gone.auth }),
      await callRoute(listProjects, { headers: gone.auth }),
      await callRoute(storeSession, { body: { accessToken: gone.token } }),
    ];
    for (const result of results) expectRefusal(result, 401, /account no longer exists/);
  });
});
