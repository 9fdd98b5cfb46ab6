import { cronSchedule } from "@/lib/jobs/cron";

const HOUR_MS = 3600_000;
const memo = new Map<string, number>();

/**
 * The longest wait between two reconcile runs under `expression`, over the next day of
 * its schedule: how late after a deadline the sweep that acts on it may come.
 */
export function longestReconcileGapMs(expression: string, from: Date): number {
  const cached = memo.get(expression);
  if (cached !== undefined) return cached;
  const runs = cronSchedule(expression).nextRuns(400, from);
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i]!.getTime() - runs[i - 1]!.getTime());
  memo.set(expression, longest);
  return longest;
}

/**
 * When an upload created at `now` is past its deadline. Every upload is to have ended
 * (completed, expired, aborted or failed) within `expiryHours`, and the reconciler that
 * ends an abandoned one runs on a schedule; so the deadline is set one reconcile gap
 * earlier, and the sweep after it still falls within `expiryHours`. A schedule as coarse
 * as the expiry itself keeps at least half of it for the upload.
 */
export function uploadDeadline(now: Date, settings: { UPLOAD_EXPIRY_HOURS: number; RECONCILE_CRON: string }): Date {
  const expiryMs = settings.UPLOAD_EXPIRY_HOURS * HOUR_MS;
  const gapMs = longestReconcileGapMs(settings.RECONCILE_CRON, now);
  return new Date(now.getTime() + Math.max(expiryMs / 2, expiryMs - gapMs));
}
