import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getSharedClip, signedSharedMedia, type SharedClip } from "@/lib/clips/get-shared-clip";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ token: string }> };

async function load(token: string): Promise<SharedClip> {
  const clip = await getSharedClip(token);
  if (!clip) notFound();
  return clip;
}

const clipTitle = (clip: SharedClip) => `${clip.title} — highlight ${clip.position}`;
const describe = (clip: SharedClip) => `A ${Math.round(clip.durationSeconds)}-second highlight from “${clip.title}”, shared with ClipCrafter.`;

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const clip = await load((await params).token);
  return {
    title: clipTitle(clip),
    description: describe(clip),
    robots: { index: false },
    openGraph: {
      type: "video.other",
      url: clip.pageUrl,
      title: clipTitle(clip),
      description: describe(clip),
      siteName: "ClipCrafter",
      images: [{ url: clip.thumbnailLink, alt: clipTitle(clip) }],
      videos: [{ url: clip.videoLink, secureUrl: clip.videoLink, type: "video/mp4" }],
    },
    twitter: { card: "summary_large_image", title: clipTitle(clip), description: describe(clip), images: [clip.thumbnailLink] },
  };
}

// GET /c/:token — a shared clip, playable without signing in
export default async function SharedClipPage({ params }: Params) {
  const { token } = await params;
  const clip = await load(token);
  const [videoUrl, posterUrl] = await Promise.all([signedSharedMedia(token, "video"), signedSharedMedia(token, "thumbnail")]);
  return (
    <article className="stack" aria-labelledby="clip-title">
      <h1 id="clip-title">{clipTitle(clip)}</h1>
      <div className="player-box">
        <video controls playsInline preload="metadata" src={videoUrl ?? undefined} poster={posterUrl ?? undefined}>
          <a href={clip.videoLink}>Download the clip</a>
        </video>
      </div>
      <p className="muted">{describe(clip)}</p>
      <p>
        <Link href="/">Make shareable clips of your own videos with ClipCrafter</Link>
      </p>
    </article>
  );
}
