import { eventIds } from "@/inngest/events";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { reserveVideoSlot } from "@/lib/billing/usage";
import { sendEvent } from "@/lib/jobs/send-event";
import { deliverOutboxEvent, enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { addTimelineEvent } from "@/lib/projects/timeline";
import { log } from "@/lib/log";
import { allowedImportHosts } from "./download-source";
import { checkFetchTarget } from "./ssrf-guard";

export type StartImportDeps = { send: typeof sendEvent; now: () => Date };
const defaultDeps: StartImportDeps = { send: sendEvent, now: () => new Date() };

function titleFromUrl(url: URL): string {
  const last = decodeURIComponent(url.pathname.split("/").filter(Boolean).pop() ?? "");
  return (last || url.hostname).slice(0, 200);
}

/**
 * Accepts a pasted link: the guard checks it (scheme, every resolved address) before
 * anything is stored, then one transaction creates the project (source `url`, status
 * `uploading` while it downloads), takes a slot of the plan's quota and writes the
 * `video/import` event to the outbox, which is then sent. A failed send stays in the
 * outbox for the reconciler.
 */
export async function startImport(
  claims: UserClaims,
  params: { url: string },
  deps: StartImportDeps = defaultDeps,
): Promise<{ projectId: string }> {
  const target = await checkFetchTarget(params.url, { allowedHosts: allowedImportHosts() });
  const userId = claims.sub;
  // On the server's connection (the outbox is server-only), so the project, the quota
  // slot and the event commit together; every statement names the owner.
  const event = await db().begin(async (tx) => {
    await reserveVideoSlot(tx, userId, deps.now());
    const [project] = await tx<{ id: string }[]>`
      insert into projects (user_id, title, status, stage, source_type, source_url)
      values (${userId}, ${titleFromUrl(target.url)}, 'uploading', 'download', 'url', ${target.url.href})
      returning id`;
    const projectId = project!.id;
    await addTimelineEvent(tx, {
      projectId,
      userId,
      kind: "import_started",
      message: `Importing ${target.url.host}${target.url.pathname}`,
      data: { url: target.url.href },
    });
    const importEvent: OutboxEvent = {
      name: "video/import",
      id: eventIds.import(projectId),
      data: { projectId, userId, url: target.url.href },
    };
    await enqueueEvent(tx, { event: importEvent, userId, projectId });
    return importEvent;
  });
  await deliverOutboxEvent(event, deps.send).catch((error: unknown) =>
    log.warn("import_event_delivery_failed", { projectId: event.data.projectId, error }),
  );
  return { projectId: event.data.projectId };
}
