import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import SharedClipPage, { generateMetadata } from "@/app/c/[token]/page";
import * as thumbnailRoute from "@/app/c/[token]/thumbnail/route";
import * as videoRoute from "@/app/c/[token]/video/route";
import { env } from "@/lib/env";
import { newShareToken } from "@/lib/clips/share-token";
import { callRoute } from "@/tests/support/routes";
import { createTestUser } from "@/tests/support/users";
import { h264AacMp4 } from "@/tests/support/media";
import { clipRows, isolateScratchFolders, objectBytes, queuedProject, testEngine } from "./support";

// The public page of a clip: no sign-in, Open Graph tags for link previews, and the clip
// playing from storage through a signed URL.

isolateScratchFolders("share");

let clip: { shareToken: string; key: string; thumbnailKey: string };

beforeAll(async () => {
  const user = await createTestUser("share");
  const { projectId } = await queuedProject(user.id, await h264AacMp4({ seconds: 12, width: 160, height: 120 }), {
    title: "Team offsite",
  });
  await testEngine(projectId, user.id).execute();
  const [first] = await clipRows(projectId);
  clip = first!;
});

const params = (token: string) => ({ params: Promise.resolve({ token }) });

describe("the public clip page /c/<token>", () => {
  it("carries Open Graph and Twitter tags that point at stable links to the clip and its thumbnail", async () => {
    const metadata = await generateMetadata(params(clip.shareToken));
    const base = `${env().APP_URL}/c/${clip.shareToken}`;
    expect(metadata.title).toBe("Team offsite — highlight 1");
    expect(metadata.openGraph).toMatchObject({
      type: "video.other",
      url: base,
      title: "Team offsite — highlight 1",
      images: [{ url: `${base}/thumbnail` }],
      videos: [{ url: `${base}/video`, type: "video/mp4" }],
    });
    expect(metadata.openGraph?.description).toMatch(/^A 1\d-second highlight from “Team offsite”/);
    expect(metadata.twitter).toMatchObject({ card: "summary_large_image", images: [`${base}/thumbnail`] });
  });

  it("plays the clip from a signed storage URL, with its thumbnail as the poster, for anyone", async () => {
    const html = renderToStaticMarkup(await SharedClipPage(params(clip.shareToken)));
    const src = html.match(/<video[^>]* src="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    const poster = html.match(/<video[^>]* poster="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    expect(src).toContain("X-Amz-Signature=");
    expect(poster).toContain("X-Amz-Signature=");
    const played = await fetch(src!);
    expect(played.status).toBe(200);
    expect(Buffer.from(await played.arrayBuffer()).equals(await objectBytes(clip.key))).toBe(true);
    expect(html).toContain("Team offsite — highlight 1");
  });

  it("redirects the stable video and thumbnail links to signed URLs, without any sign-in", async () => {
    const video = await callRoute(videoRoute.GET, { params: { token: clip.shareToken } });
    expect(video.status).toBe(302);
    const fetched = await fetch(video.response.headers.get("location")!);
    expect(fetched.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await fetched.arrayBuffer()).equals(await objectBytes(clip.key))).toBe(true);

    const thumbnail = await callRoute(thumbnailRoute.GET, { params: { token: clip.shareToken } });
    expect(thumbnail.status).toBe(302);
    const image = Buffer.from(await (await fetch(thumbnail.response.headers.get("location")!)).arrayBuffer());
    expect(image.equals(await objectBytes(clip.thumbnailKey))).toBe(true);
  });

  it("is not found for a token nobody was given, or one that is not a token at all", async () => {
    const notFound = { digest: expect.stringContaining("404") };
    await expect(SharedClipPage(params(newShareToken()))).rejects.toMatchObject(notFound);
    await expect(generateMetadata(params("../../etc/passwd"))).rejects.toMatchObject(notFound);
    expect((await callRoute(videoRoute.GET, { params: { token: newShareToken() } })).status).toBe(404);
    expect((await callRoute(thumbnailRoute.GET, { params: { token: "short" } })).status).toBe(404);
  });
});
