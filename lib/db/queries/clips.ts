import type { Db } from "@/lib/db/client";

export type ClipRow = {
  id: string;
  position: number;
  startSeconds: number;
  endSeconds: number;
  key: string;
  thumbnailKey: string;
  shareToken: string;
};

export async function listClips(db: Db, params: { userId: string; projectId: string }): Promise<ClipRow[]> {
  return db<ClipRow[]>`
    select id, position, start_seconds as "startSeconds", end_seconds as "endSeconds", key,
           thumbnail_key as "thumbnailKey", share_token as "shareToken"
    from clips
    where project_id = ${params.projectId} and user_id = ${params.userId}
    order by position`;
}

export type SharedClipRow = ClipRow & { projectTitle: string; userId: string };

/** A clip by its share token: the public share page's lookup, deliberately not scoped to a user. */
export async function getClipByShareToken(db: Db, shareToken: string): Promise<SharedClipRow | null> {
  const [row] = await db<SharedClipRow[]>`
    select c.id, c.position, c.start_seconds as "startSeconds", c.end_seconds as "endSeconds", c.key,
           c.thumbnail_key as "thumbnailKey", c.share_token as "shareToken", p.title as "projectTitle",
           c.user_id as "userId"
    from clips c join projects p on p.id = c.project_id
    where c.share_token = ${shareToken}`;
  return row ?? null;
}
