import type { Db } from "@/lib/db/client";
import { camelRows, firstCamelRow } from "@/lib/db/camel-rows";

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
  const rows = await db`
    select id, position, start_seconds, end_seconds, key, thumbnail_key, share_token
    from clips
    where project_id = ${params.projectId} and user_id = ${params.userId}
    order by position`;
  return camelRows<ClipRow>(rows);
}

export type SharedClipRow = ClipRow & { projectTitle: string; userId: string };

/** A clip by its share token: the public share page's lookup, deliberately not scoped to a user. */
export async function getClipByShareToken(db: Db, shareToken: string): Promise<SharedClipRow | null> {
  const rows = await db`
    select c.id, c.position, c.start_seconds, c.end_seconds, c.key, c.thumbnail_key, c.share_token,
           p.title as project_title, c.user_id
    from clips c join projects p on p.id = c.project_id
    where c.share_token = ${shareToken}`;
  return firstCamelRow<SharedClipRow>(rows);
}
