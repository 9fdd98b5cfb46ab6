import type { Db } from "@/lib/db/client";
import { listExistingProjectIds, listKnownSourceKeys, listKnownStorageUploadIds } from "@/lib/db/queries/reconcile";
import { log } from "@/lib/log";
import { abortMultipartUpload, listOpenMultipartUploads } from "@/lib/storage/multipart";
import { deleteObjects, listObjects } from "@/lib/storage/objects";
import type { ReconcileDeps, ReconcileSettings } from "./types";

const SOURCE_PREFIXES = ["uploads/", "imports/"];
const OUTPUT_PREFIX = "projects/";

/** Keys (of one listing batch) that a row still stands for. */
async function knownSourceKeys(db: Db, keys: string[]): Promise<Set<string>> {
  const sources = keys.filter((k) => !k.startsWith(OUTPUT_PREFIX));
  const outputs = keys.filter((k) => k.startsWith(OUTPUT_PREFIX));
  const known = new Set<string>();
  if (sources.length) {
    for (const key of await listKnownSourceKeys(db, sources)) known.add(key);
  }
  if (outputs.length) {
    // projects/<userId>/<projectId>/…: the project's row is what keeps them.
    const projectIdOf = (key: string) => key.split("/")[2] ?? "";
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const ids = [...new Set(outputs.map(projectIdOf).filter((id) => uuid.test(id)))];
    const live = new Set(ids.length ? await listExistingProjectIds(db, ids) : []);
    for (const key of outputs) if (live.has(projectIdOf(key))) known.add(key);
  }
  return known;
}

export type OrphanReport = {
  objects: { found: number; removed: number };
  multipartUploads: { found: number; removed: number; listingSupported: boolean };
};

/**
 * (e) Source objects (under uploads/ and imports/) that no upload or project row knows,
 * outputs (under projects/<user>/<project>/) of a project that no longer exists (its
 * clean-up died with a process, or a run wrote after the delete), and open multipart
 * uploads no upload row knows (where storage can list them: R2, S3 and the local storage
 * do). They are reported at once and removed only after the grace period, so nothing an
 * in-flight request is about to record is ever deleted.
 */
export async function cleanOrphans(db: Db, settings: ReconcileSettings, deps: ReconcileDeps): Promise<OrphanReport> {
  const graceBefore = new Date(deps.now().getTime() - settings.orphanGraceMs);
  const report: OrphanReport = { objects: { found: 0, removed: 0 }, multipartUploads: { found: 0, removed: 0, listingSupported: true } };

  for (const prefix of [...SOURCE_PREFIXES, OUTPUT_PREFIX]) {
    const objects = await listObjects(prefix);
    for (let i = 0; i < objects.length; i += 1000) {
      const batch = objects.slice(i, i + 1000);
      const keys = batch.map((o) => o.key);
      const knownKeys = await knownSourceKeys(db, keys);
      const orphans = batch.filter((o) => !knownKeys.has(o.key));
      report.objects.found += orphans.length;
      const expired = orphans.filter((o) => o.lastModified && o.lastModified < graceBefore).map((o) => o.key);
      if (expired.length) {
        await deleteObjects(expired);
        report.objects.removed += expired.length;
        log.warn("reconcile_orphan_objects_removed", { prefix, keys: expired.slice(0, 50), count: expired.length });
      }
      if (orphans.length > expired.length) {
        log.info("reconcile_orphan_objects_found", { prefix, count: orphans.length - expired.length, withinGracePeriod: true });
      }
    }
  }

  const open = await listOpenMultipartUploads("uploads/");
  if (open === null) {
    report.multipartUploads.listingSupported = false;
  } else if (open.length > 0) {
    const ids = open.map((u) => u.storageUploadId);
    const known = new Set(await listKnownStorageUploadIds(db, ids));
    for (const upload of open.filter((u) => !known.has(u.storageUploadId))) {
      report.multipartUploads.found++;
      if (upload.initiated && upload.initiated < graceBefore) {
        await abortMultipartUpload(upload.key, upload.storageUploadId).catch((error: unknown) =>
          log.warn("reconcile_orphan_multipart_abort_failed", { key: upload.key, error }),
        );
        report.multipartUploads.removed++;
      }
    }
    if (report.multipartUploads.found) log.warn("reconcile_orphan_multipart_uploads", report.multipartUploads);
  }
  return report;
}
