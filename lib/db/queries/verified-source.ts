import type { Db } from "@/lib/db/client";

/** The source object's ETag and size as verified, kept with the project so processing reads only that object. */
export async function recordVerifiedSource(
  db: Db,
  params: { projectId: string; userId: string; etag: string; size: number },
): Promise<boolean> {
  const rows = await db`
    update projects set source_etag = ${params.etag}, source_size = ${params.size}
    where id = ${params.projectId} and user_id = ${params.userId}
    returning id`;
  return rows.length === 1;
}
