import { randomBytes, randomUUID } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import SharedClipPage, { generateMetadata } from "@/app/c/[token]/page";
import * as videoRoute from "@/app/c/[token]/video/route";
import * as thumbnailRoute from "@/app/c/[token]/thumbnail/route";
import { DELETE, GET as getProject } from "@/app/api/projects/[id]/route";
import { GET as listProjects } from "@/app/api/projects/route";
import { eventIds } from "@/lib/jobs/events";
import { newSharedOutputId } from "@/lib/clips/share-token";
import { db } from "@/lib/db/client";
import { setEnvForProcess } from "@/lib/env";
import { embeddedRunner, sendEvent } from "@/lib/jobs/send-event";
import { outputKeys, sharedKeys } from "@/lib/storage/keys";
import { headObject, listObjects, putObject } from "@/lib/storage/objects";
import { callRoute } from "@/tests/support/routes";
import { removeJobRunnerAfter, runJobsIn } from "@/tests/support/job-runner";
import { testUser, type TestUser } from "@/tests/support/users";
import { h264AacMp4, loudMiddleMp4 } from "@/tests/support/media";
import { clipRows, isolateScratchFolders, projectView, queuedProject, testEngine } from "./processing/support";
import { routes as uploadRoutes } from "./uploads/upload-client";

// Object keys are never taken on trust: a row or an event naming someone else's object
// gets it neither signed nor deleted, and a share link's URLs name no user and no project.

isolateScratchFolders("keys");

const owner = testUser("key-owner");
const victim = testUser("key-victim");

/** Objects of the victim's: an upload, a web MP4, and a shared clip whose id is recorded for them. */
type VictimObjects = { projectId: string; upload: string; playback: string; sharedClip: string; sharedThumbnail: string };
let victimObjects: VictimObjects;

async function store(key: string): Promise<string> {
  await putObject(key, Buffer.from(`bytes of ${key}`), { contentType: key.endsWith(".jpg") ? "image/jpeg" : "video/mp4" });
  return key;
}

async function insertProject(user: TestUser, fields: { playbackKey?: string; thumbnailKey?: string; r2Key?: string } = {}) {
  const [row] = await db()<{ id: string }[]>`
    insert into projects (user_id, title, status, source_type, r2_key, upload_completed_at, playback_key, thumbnail_key)
    values (${user.id}, 'talk.mp4', 'ready', 'upload', ${fields.r2Key ?? null}, now(),
            ${fields.playbackKey ?? null}, ${fields.thumbnailKey ?? null})
    returning id`;
  return row!.id;
}

async function insertClip(user: TestUser, projectId: string, keys: { key: string; thumbnailKey: string }): Promise<string> {
  const shareToken = randomBytes(32).toString("base64url");
  await db()`
    insert into clips (project_id, user_id, position, start_seconds, end_seconds, key, thumbnail_key, share_token)
    values (${projectId}, ${user.id}, 1, 0, 12, ${keys.key}, ${keys.thumbnailKey}, ${shareToken})`;
  return shareToken;
}

async function recordSharedId(user: TestUser, projectId: string, position = 1): Promise<string> {
  const id = newSharedOutputId();
  await db()`insert into shared_outputs (id, user_id, project_id, position) values (${id}, ${user.id}, ${projectId}, ${position})`;
  return id;
}

async function stillStored(keys: string[]): Promise<boolean[]> {
  return Promise.all(keys.map(async (key) => (await headObject(key)) !== null));
}

const allVictimKeys = () => [
  victimObjects.upload,
  victimObjects.playback,
  victimObjects.sharedClip,
  victimObjects.sharedThumbnail,
];

beforeAll(async () => {
  runJobsIn();
  const upload = await store(`uploads/${victim.id}/${randomUUID()}/private.mp4`);
  const projectId = await insertProject(victim, { r2Key: upload });
  const playback = await store(outputKeys.playback(victim.id, projectId));
  await db()`update projects set playback_key = ${playback} where id = ${projectId}`;
  const sharedId = await recordSharedId(victim, projectId);
  const sharedClip = await store(sharedKeys.clip(sharedId));
  const sharedThumbnail = await store(sharedKeys.thumbnail(sharedId));
  await insertClip(victim, projectId, { key: sharedClip, thumbnailKey: sharedThumbnail });
  victimObjects = { projectId, upload, playback, sharedClip, sharedThumbnail };
});

removeJobRunnerAfter("all");

describe("signing only the owner's objects", () => {
  it("never signs a playback or thumbnail key a tampered row points at another user's object, and signs the owner's own", async () => {
    const tampered = await insertProject(owner, { playbackKey: victimObjects.playback, thumbnailKey: victimObjects.sharedThumbnail });
    const own = await insertProject(owner);
    const ownPlayback = await store(outputKeys.playback(owner.id, own));
    const ownThumbnail = await store(outputKeys.thumbnail(owner.id, own));
    await db()`update projects set playback_key = ${ownPlayback}, thumbnail_key = ${ownThumbnail} where id = ${own}`;

    const details = await callRoute(getProject, { params: { id: tampered }, headers: owner.auth });
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ playbackUrl: null, thumbnailUrl: null });
    expect(JSON.stringify(details.body)).not.toContain(victim.id);

    const mine = await callRoute(getProject, { params: { id: own }, headers: owner.auth });
    expect(new URL(mine.body.playbackUrl).pathname).toContain(ownPlayback);
    expect(new URL(mine.body.thumbnailUrl).pathname).toContain(ownThumbnail);

    const list = await callRoute(listProjects, { headers: owner.auth });
    const byId = new Map<string, { thumbnailUrl: string | null }>(list.body.projects.map((p: any) => [p.id, p]));
    expect(byId.get(tampered)?.thumbnailUrl).toBeNull();
    expect(byId.get(own)?.thumbnailUrl).toContain("X-Amz-Signature=");
  });

  it("leaves out a clip whose files are another user's, and its share link signs nothing", async () => {
    const projectId = await insertProject(owner);
    const token = await insertClip(owner, projectId, { key: victimObjects.sharedClip, thumbnailKey: victimObjects.sharedThumbnail });

    const details = await callRoute(getProject, { params: { id: projectId }, headers: owner.auth });
    expect(details.status).toBe(200);
    expect(details.body.clips).toEqual([]);

    expect((await callRoute(videoRoute.GET, { params: { token } })).status).toBe(404);
    expect((await callRoute(thumbnailRoute.GET, { params: { token } })).status).toBe(404);
    const html = renderToStaticMarkup(await SharedClipPage({ params: Promise.resolve({ token }) }));
    expect(html).not.toContain("X-Amz-Signature");
    expect(html).not.toMatch(/<video[^>]* src=/);
  });

  it("does not process a source key that is another user's upload: the project shows the source as missing", async () => {
    const { projectId } = await queuedProject(owner.id, null);
    await db()`update projects set r2_key = ${victimObjects.upload} where id = ${projectId}`;

    await testEngine(projectId, owner.id).execute();

    expect(await projectView(projectId)).toMatchObject({ status: "error", errorCode: "source_missing", playbackKey: null });
    expect(await stillStored([victimObjects.upload])).toEqual([true]);
  });
});

describe("signing upload URLs", () => {
  it("signs no PUT for an upload whose row was pointed at another user's upload: 404, and their object is untouched", async () => {
    const created = await uploadRoutes.create(owner, { filename: "mine.mp4", size: 1024, contentType: "video/mp4" });
    expect(created.status).toBe(201);
    const fresh = await uploadRoutes.signParts(owner, created.body.uploadId, [1]);
    expect(fresh.status).toBe(200);
    expect(new URL(fresh.body.parts[0].url).pathname).toContain(`/uploads/${owner.id}/`);

    const victimUpload = await store(`uploads/${victim.id}/${randomUUID()}/theirs.mp4`);
    await db()`update uploads set key = ${victimUpload} where id = ${created.body.uploadId}`;
    const tampered = await uploadRoutes.signParts(owner, created.body.uploadId, [1]);

    expect(tampered.status).toBe(404);
    expect(JSON.stringify(tampered.body)).not.toContain("X-Amz-Signature");
    expect(await stillStored([victimUpload])).toEqual([true]);
  });
});

describe("aborting an upload", () => {
  it("deletes nothing for an upload whose row was pointed at another user's object: 404, and their object is untouched", async () => {
    const created = await uploadRoutes.create(owner, { filename: "abort.mp4", size: 1024, contentType: "video/mp4" });
    expect(created.status).toBe(201);
    const victimUpload = await store(`uploads/${victim.id}/${randomUUID()}/kept.mp4`);
    await db()`update uploads set key = ${victimUpload} where id = ${created.body.uploadId}`;

    const aborted = await uploadRoutes.abort(owner, created.body.uploadId);

    expect(aborted.status).toBe(404);
    expect(await stillStored([victimUpload])).toEqual([true]);
  });
});

describe("cleanup after a delete", () => {
  it("deletes nothing of another user's for a forged project/deleted naming their live project, keys and owner", async () => {
    await sendEvent({
      name: "project/deleted",
      id: `forged-${randomUUID()}`,
      data: { projectId: victimObjects.projectId, userId: victim.id, uploadKeys: allVictimKeys() },
    });
    await (await embeddedRunner()).idle();

    expect(await stillStored(allVictimKeys())).toEqual([true, true, true, true]);
    expect(await db()`select id from projects where id = ${victimObjects.projectId}`).toHaveLength(1);
  });

  it("removes only the deleter's own objects when their rows and the event name another user's keys", async () => {
    const ownUpload = await store(`uploads/${owner.id}/${randomUUID()}/mine.mp4`);
    const projectId = await insertProject(owner, { r2Key: ownUpload, playbackKey: victimObjects.playback });
    const ownPlayback = await store(outputKeys.playback(owner.id, projectId));
    await db()`
      insert into uploads (project_id, user_id, key, filename, content_type, size, method, expires_at, status)
      values (${projectId}, ${owner.id}, ${victimObjects.upload}, 'x.mp4', 'video/mp4', 8, 'single', now() + interval '1 day', 'completed')`;
    await insertClip(owner, projectId, { key: victimObjects.sharedClip, thumbnailKey: victimObjects.sharedThumbnail });

    expect((await callRoute(DELETE, { method: "DELETE", params: { id: projectId }, headers: owner.auth })).status).toBe(204);
    await (await embeddedRunner()).idle();
    // A second event for the same project, carrying the victim's keys, finds nothing left to do.
    await sendEvent({
      name: "project/deleted",
      id: `forged-${randomUUID()}`,
      data: { projectId, userId: victim.id, uploadKeys: allVictimKeys() },
    });
    await (await embeddedRunner()).idle();

    expect(await stillStored([ownUpload, ownPlayback])).toEqual([false, false]);
    expect(await stillStored(allVictimKeys())).toEqual([true, true, true, true]);
    expect(await db()`select id from deleted_project_objects where project_id = ${projectId}`).toHaveLength(0);
  });
});

describe("a processed project's shared clips, then its deletion", () => {
  let projectId: string;
  let sourceKey: string;
  let clips: Awaited<ReturnType<typeof clipRows>>;

  beforeAll(async () => {
    ({ projectId, key: sourceKey } = await queuedProject(owner.id, await h264AacMp4({ seconds: 12, width: 160, height: 120 }), {
      title: "Offsite",
    }));
    const run = await testEngine(projectId, owner.id).execute();
    expect(run.error).toBeUndefined();
    expect(await projectView(projectId)).toMatchObject({ status: "ready" });
    clips = await clipRows(projectId);
  });

  it("stores each clip and its thumbnail under shared/<128-bit random id>/, one id per clip", async () => {
    expect(clips.length).toBeGreaterThan(0);
    for (const clip of clips) {
      const [, id] = /^shared\/([0-9a-f]{32})\/clip\.mp4$/.exec(clip.key) ?? [];
      expect(id).toBeDefined();
      expect(clip.thumbnailKey).toBe(`shared/${id}/thumbnail.jpg`);
      expect(await stillStored([clip.key, clip.thumbnailKey])).toEqual([true, true]);
      expect(clip.shareToken).not.toContain(id!);
    }
    expect(new Set(clips.map((c) => c.key)).size).toBe(clips.length);
  });

  it("gives share links, pages, redirects and signed media URLs that contain neither the user id nor the project id", async () => {
    const details = await callRoute(getProject, { params: { id: projectId }, headers: owner.auth });
    const seen: string[] = [];
    for (const clip of details.body.clips as { shareUrl: string; url: string; thumbnailUrl: string }[]) {
      const token = new URL(clip.shareUrl).pathname.split("/").pop()!;
      const params = { params: Promise.resolve({ token }) };
      const metadata = await generateMetadata(params);
      const html = renderToStaticMarkup(await SharedClipPage(params));
      const video = await callRoute(videoRoute.GET, { params: { token } });
      const thumbnail = await callRoute(thumbnailRoute.GET, { params: { token } });
      expect(video.status).toBe(302);
      expect(thumbnail.status).toBe(302);
      const location = video.response.headers.get("location")!;
      expect(new URL(location).pathname).toMatch(/\/shared\/[0-9a-f]{32}\/clip\.mp4$/);
      expect((await fetch(location)).status).toBe(200);
      seen.push(clip.shareUrl, clip.url, clip.thumbnailUrl, JSON.stringify(metadata), html, location);
      seen.push(thumbnail.response.headers.get("location")!);
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const text of seen) {
      expect(text).not.toContain(owner.id);
      expect(text).not.toContain(projectId);
    }
  });

  it("removes the original, the outputs and the shared clips on delete, from the keys the database held", async () => {
    const before = await listObjects(`projects/${owner.id}/${projectId}/`);
    expect(before.map((o) => o.key).sort()).toEqual(
      [outputKeys.playback(owner.id, projectId), outputKeys.thumbnail(owner.id, projectId)].sort(),
    );
    const clipKeys = clips.flatMap((c) => [c.key, c.thumbnailKey]);
    expect(await stillStored([sourceKey, ...clipKeys])).toEqual([sourceKey, ...clipKeys].map(() => true));

    expect((await callRoute(DELETE, { method: "DELETE", params: { id: projectId }, headers: owner.auth })).status).toBe(204);
    await (await embeddedRunner()).idle();

    expect(await listObjects(`projects/${owner.id}/${projectId}/`)).toEqual([]);
    expect(await stillStored([sourceKey, ...clipKeys])).toEqual([sourceKey, ...clipKeys].map(() => false));
    expect(await db()`select id from shared_outputs where project_id = ${projectId}`).toHaveLength(0);
    expect(await db()`select id from deleted_project_objects where project_id = ${projectId}`).toHaveLength(0);
    // The other user's objects were never in reach.
    expect(await stillStored(allVictimKeys())).toEqual([true, true, true, true]);
  });
});

describe("a run that makes fewer clips than the one before", () => {
  afterAll(() => setEnvForProcess({ CLIP_COUNT: "3" }));

  it("removes the shared files of the clips beyond its own, and forgets their ids", async () => {
    const media = await loudMiddleMp4();
    const { projectId } = await queuedProject(owner.id, media);
    expect((await testEngine(projectId, owner.id).execute()).error).toBeUndefined();
    const before = await clipRows(projectId);
    expect(before.length).toBeGreaterThanOrEqual(2);

    setEnvForProcess({ CLIP_COUNT: "1" });
    await db()`update projects set status = 'queued' where id = ${projectId}`;
    expect((await testEngine(projectId, owner.id, `process-${projectId}-fewer`).execute()).error).toBeUndefined();

    const after = await clipRows(projectId);
    expect(after.map((c) => c.key)).toEqual([before[0]!.key]);
    const dropped = before.slice(1).flatMap((c) => [c.key, c.thumbnailKey]);
    expect(await stillStored(dropped)).toEqual(dropped.map(() => false));
    expect(await stillStored([after[0]!.key, after[0]!.thumbnailKey])).toEqual([true, true]);
    const ids = await db()<{ position: number }[]>`select position from shared_outputs where project_id = ${projectId}`;
    expect(ids.map((r) => r.position)).toEqual([1]);
  });
});

describe("the deletion record", () => {
  it("is written by the database with the keys the project held, and is not readable by people", async () => {
    const ownUpload = await store(`uploads/${owner.id}/${randomUUID()}/record.mp4`);
    const projectId = await insertProject(owner, { r2Key: ownUpload });
    await db()`delete from projects where id = ${projectId}`;
    const [record] = await db()<{ userId: string; keys: string[] }[]>`
      select user_id as "userId", keys from deleted_project_objects where project_id = ${projectId}`;
    expect(record).toEqual({ userId: owner.id, keys: [ownUpload] });

    const [grants] = await db()<{ records: boolean; shared: boolean }[]>`
      select has_table_privilege('authenticated', 'public.deleted_project_objects', 'select') as records,
             has_table_privilege('authenticated', 'public.shared_outputs', 'select') as shared`;
    expect(grants).toEqual({ records: false, shared: false });
    await sendEvent({ name: "project/deleted", id: eventIds.deleted(projectId), data: { projectId, userId: owner.id } });
    await (await embeddedRunner()).idle();
    expect(await stillStored([ownUpload])).toEqual([false]);
  });
});
