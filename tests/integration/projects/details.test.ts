import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/projects/[id]/route";
import { env } from "@/lib/env";
import { callRoute } from "../../support/routes";
import { testUser } from "../../support/users";
import { insertProject, makeReady } from "./fixtures";

describe("GET /api/projects/:id", () => {
  const owner = testUser("viewer");
  const stranger = testUser("stranger");
  let readyId: string;
  let shareToken: string;

  beforeAll(async () => {
    readyId = await insertProject(owner, {
      title: "Conference talk",
      status: "processing",
      r2Key: `uploads/${owner.id}/u1/talk.mp4`,
      uploadCompletedAt: new Date("2026-01-02T03:04:05Z"),
    });
    ({ shareToken } = await makeReady(owner, readyId));
  });

  it("returns a ready project in the documented shape, with links that open the stored files", async () => {
    const { status, body } = await callRoute(GET, { params: { id: readyId }, headers: owner.auth });
    expect(status).toBe(200);
    expect(body).toEqual({
      id: readyId,
      title: "Conference talk",
      status: "ready",
      stage: null,
      progress: 100,
      error: null,
      source: { type: "upload", url: null, key: `uploads/${owner.id}/u1/talk.mp4`, uploadCompletedAt: "2026-01-02T03:04:05.000Z" },
      media: { durationSeconds: 61.2, width: 1280, height: 720, videoCodec: "h264", audioCodec: "aac" },
      thumbnailUrl: expect.any(String),
      playbackUrl: expect.any(String),
      clips: [
        {
          id: expect.any(String),
          startSeconds: 10,
          endSeconds: 25,
          url: expect.any(String),
          thumbnailUrl: expect.any(String),
          shareUrl: `${new URL(env().APP_URL).origin}/c/${shareToken}`,
        },
      ],
      timeline: [{ at: expect.any(String), kind: "ready", message: "Your video is ready." }],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await (await fetch(body.playbackUrl)).text()).toBe("web mp4 bytes");
    expect(await (await fetch(body.thumbnailUrl)).text()).toBe("thumbnail bytes");
    expect(await (await fetch(body.clips[0].url)).text()).toBe("clip bytes");
    expect(await (await fetch(body.clips[0].thumbnailUrl)).text()).toBe("clip thumbnail bytes");
  });

  it("reports a failed project's reason as code and message", async () => {
    const failed = await insertProject(owner, {
      status: "error",
      errorCode: "not_a_video",
      errorMessage: "This file is not a video we can read.",
    });
    const { body } = await callRoute(GET, { params: { id: failed }, headers: owner.auth });
    expect(body.status).toBe("error");
    expect(body.error).toEqual({ code: "not_a_video", message: "This file is not a video we can read." });
    expect(body.playbackUrl).toBeNull();
    expect(body.clips).toEqual([]);
  });

  it("answers 404 for another user's project, exactly as for one that does not exist", async () => {
    const theirs = await callRoute(GET, { params: { id: readyId }, headers: stranger.auth });
    const missing = await callRoute(GET, { params: { id: "00000000-0000-4000-8000-000000000000" }, headers: stranger.auth });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(missing.body);
  });

  it("answers 404 for an id that is not a UUID and 401 without a user", async () => {
    expect((await callRoute(GET, { params: { id: "../etc" }, headers: owner.auth })).status).toBe(404);
    expect((await callRoute(GET, { params: { id: readyId } })).status).toBe(401);
  });
});
