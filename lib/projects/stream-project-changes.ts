import type { UserClaims } from "@/lib/db/as-user";
import { asUser } from "@/lib/db/as-user";
import { listProjectsChangedSince } from "@/lib/db/queries/projects";
import { pollingEventStream, type StreamTiming } from "./event-stream";
import { toProjectSummary } from "./project-views";

// updated_at is the writing transaction's start time, so a row can commit with a time
// just before one already seen; looking back this far (and skipping what was already
// sent) keeps such a change from being missed.
const LOOKBACK_MS = 10_000;

/**
 * The projects list's live feed: a `project` event (summary shape) for every project of
 * the user that changes after `since` — new ones included. Never settles; it ends after
 * the stream's maximum duration and the client reconnects from the last change it saw.
 */
export function streamProjectChanges(
  claims: UserClaims,
  options: { since: Date; signal: AbortSignal; timing?: Partial<StreamTiming>; onClose?: () => void },
): ReadableStream<Uint8Array> {
  let since = options.since;
  const sent = new Map<string, string>();
  return pollingEventStream({
    signal: options.signal,
    timing: options.timing,
    onClose: options.onClose,
    poll: async () => {
      const rows = await asUser(claims, (tx) =>
        listProjectsChangedSince(tx, {
          userId: claims.sub,
          since: new Date(since.getTime() - LOOKBACK_MS),
          limit: 200,
        }),
      );
      const changed = rows.filter((row) => {
        const key = [row.updatedAt.toISOString(), row.status, row.stage, row.progress, row.title].join("|");
        if (sent.get(row.id) === key) return false;
        sent.set(row.id, key);
        return true;
      });
      for (const row of rows) if (row.updatedAt > since) since = row.updatedAt;
      const summaries = await Promise.all(changed.map(toProjectSummary));
      return { messages: summaries.map((summary) => ({ event: "project", data: summary })), done: false };
    },
  });
}
