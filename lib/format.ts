// Numbers as a person reads them, for pages on both the server and the browser.

/** "512 bytes", "2 GiB", "5.3 MiB": in the binary units the plans' limits are set in. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "45 s", "3 min 20 s", "30 min", "1 h 5 min", "4 h": for limits, lengths in messages and time left. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

/** "1:01", "1:02:03": a video's length or a point in it, as a player shows it. */
export function formatVideoTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

// Every date and time on a page is shown in UTC, so the server's render and the browser's agree and pages hydrate
// cleanly. The formatters are built once: constructing an Intl.DateTimeFormat costs far more than using one.
const dateTimeFields = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" } as const;
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", dateTimeFields);
const dateTimeWithSecondsFormat = new Intl.DateTimeFormat("en-GB", { ...dateTimeFields, second: "2-digit" });
const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

/**
 * "22 Nov 2026, 10:15 UTC"; with `seconds`, "22 Nov 2026, 10:15:03 UTC", for events that can be seconds apart
 * (a webhook's retries).
 */
export function formatDateTime(at: string | Date, { seconds = false }: { seconds?: boolean } = {}): string {
  return `${(seconds ? dateTimeWithSecondsFormat : dateTimeFormat).format(new Date(at))} UTC`;
}

/** "Dec 1, 2026": a day with no time, such as the start or end of a billing period. */
export function formatDate(at: string | Date): string {
  return dateFormat.format(new Date(at));
}
