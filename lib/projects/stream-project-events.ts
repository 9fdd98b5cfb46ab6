import type { UserClaims } from "@/lib/db/as-user";
import { asUser } from "@/lib/db/as-user";
import { getLastTimelineId } from "@/lib/db/queries/project-events";
import { getProject, type ProjectRow } from "@/lib/db/queries/projects";
import { getProjectDetailsOrThrow } from "./get-project-details";
import { pollingEventStream, type StreamTiming } from "./event-stream";
import { isSettled } from "./project-views";

function changeKey(row: ProjectRow, timelineId: number): string {
  return [row.updatedAt.toISOString(), row.status, row.stage, row.progress, row.title, timelineId].join("|");
}

/**
 * Live updates for one project page: a `project` event with the full project (the GET
 * shape) now and whenever its status, stage, progress, error or timeline changes; `end`
 * once it is ready or failed. Throws a 404 up front for a project that is not the user's.
 */
export async function streamProjectEvents(
  claims: UserClaims,
  projectId: string,
  options: { signal: AbortSignal; timing?: Partial<StreamTiming>; onClose?: () => void },
): Promise<ReadableStream<Uint8Array>> {
  await getProjectDetailsOrThrow(claims, projectId);
  let lastKey = "";
  return pollingEventStream({
    signal: options.signal,
    timing: options.timing,
    onClose: options.onClose,
    poll: async () => {
      const state = await asUser(claims, async (tx) => {
        const row = await getProject(tx, { userId: claims.sub, projectId });
        return row ? { row, timelineId: await getLastTimelineId(tx, { userId: claims.sub, projectId }) } : null;
      });
      // Deleted while watched: say so once and stop.
      if (!state) return { messages: [{ event: "deleted", data: { id: projectId } }], done: true };
      const key = changeKey(state.row, state.timelineId);
      const settled = isSettled(state.row.status);
      if (key === lastKey) return { messages: [], done: settled };
      lastKey = key;
      const details = await getProjectDetailsOrThrow(claims, projectId);
      return { messages: [{ event: "project", data: details }], done: isSettled(details.status) };
    },
  });
}
