const format = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

/** "22 Nov 2026, 10:15:03 UTC": seconds matter when retries are seconds apart; UTC so server and browser agree. */
export function formatTime(iso: string): string {
  return `${format.format(new Date(iso))} UTC`;
}
