import { db } from "@/lib/db/client";
import { getClipByShareToken, type SharedClipRow } from "@/lib/db/queries/clips";
import { env } from "@/lib/env";
import { shareUrl } from "@/lib/projects/project-views";
import { presignGet } from "@/lib/storage/presign";

// The public side of a clip: anyone with its share link may watch it, without signing
// in. The token (43 random characters) is the only key; nothing else about the project
// or its owner is shown — not in the page, not in a redirect: the files of clips made
// since shared keys live under shared/<random id>/, so even the signed URL's path names
// neither the owner nor the project. The key is checked against the clip's owner before
// it is signed (lib/storage/owned-keys.ts).

/** How long the signed media URLs in a share page last: a long watch, not a permanent link. */
export const SHARED_MEDIA_TTL_SECONDS = 6 * 60 * 60;

export type SharedClip = {
  title: string;
  position: number;
  durationSeconds: number;
  pageUrl: string;
  /** Stable links for Open Graph tags: they redirect to a freshly signed URL on each visit. */
  videoLink: string;
  thumbnailLink: string;
};

/** Share tokens are base64url; anything else is not worth a database lookup. */
export function isShareToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{22,64}$/.test(token);
}

async function findClip(token: string): Promise<SharedClipRow | null> {
  return isShareToken(token) ? getClipByShareToken(db(), token) : null;
}

export async function getSharedClip(token: string): Promise<SharedClip | null> {
  const clip = await findClip(token);
  if (!clip) return null;
  const pageUrl = shareUrl(clip.shareToken);
  return {
    title: clip.projectTitle,
    position: clip.position,
    durationSeconds: clip.endSeconds - clip.startSeconds,
    pageUrl,
    videoLink: new URL(`/c/${clip.shareToken}/video`, env().APP_URL).toString(),
    thumbnailLink: new URL(`/c/${clip.shareToken}/thumbnail`, env().APP_URL).toString(),
  };
}

/** A signed GET for the shared clip's MP4 or thumbnail, or null when the token is unknown. */
export async function signedSharedMedia(token: string, what: "video" | "thumbnail"): Promise<string | null> {
  const clip = await findClip(token);
  if (!clip) return null;
  return presignGet({
    ownerId: clip.userId,
    key: what === "video" ? clip.key : clip.thumbnailKey,
    expiresInSeconds: SHARED_MEDIA_TTL_SECONDS,
  });
}
