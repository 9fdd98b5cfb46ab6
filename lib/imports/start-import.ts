import { eventIds } from "@/lib/jobs/events";
import { AppError } from "@/lib/api/errors";
import { forbiddenCharacter } from "@/lib/uploads/check-filename";
import type { UserClaims } from "@/lib/db/as-user";
import { db } from "@/lib/db/client";
import { insertImportProject } from "@/lib/db/queries/imports";
import { reserveVideoSlot } from "@/lib/billing/usage";
import { sendEvent } from "@/lib/jobs/send-event";
import { deliverOutboxEvent, enqueueEvent, type OutboxEvent } from "@/lib/outbox/outbox";
import { addTimelineEvent } from "@/lib/db/queries/project-events";
import { log } from "@/lib/log";
import { allowedImportHosts } from "./download-source";
import { checkFetchTarget } from "@/lib/net/ssrf-guard";

export type StartImportDeps = { send: typeof sendEvent; now: () => Date };
const defaultDeps: StartImportDeps = { send: sendEvent, now: () => new Date() };

/**
 * The project's title: the link's file name, held to the rule for file names. Checked
 * before the link is resolved, so a name that can never be accepted costs no lookup.
 * Returns undefined for a link that is not a URL at all (the guard then says why).
 */
function titleFromLink(link: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return undefined;
  }
  let name: string;
  try {
    name = decodeURIComponent(url.pathname.split("/").filter(Boolean).pop() ?? "");
  } catch {
    throw new AppError(
      "url_refused",
      "The link has a broken percent-encoding (a % that is not followed by valid UTF-8 in hex). Check the link and try again.",
    );
  }
  const codePoint = forbiddenCharacter(name);
  if (codePoint) {
    throw new AppError(
      "url_refused",
      `The link's file name contains a control or text-direction character (${codePoint}), which can disguise a file's real type.`,
    );
  }
  return (name || url.hostname).slice(0, 200);
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
  titleFromLink(params.url);
  const target = await checkFetchTarget(params.url, { allowedHosts: allowedImportHosts() });
  const title = titleFromLink(target.url.href) ?? target.url.hostname;
  const userId = claims.sub;
  // On the server's connection (the outbox is server-only), so the project, the quota
  // slot and the event commit together; every statement names the owner.
  const event = await db().begin(async (tx) => {
    await reserveVideoSlot(tx, userId, deps.now());
    const { id: projectId } = await insertImportProject(tx, { userId, title, url: target.url.href });
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
