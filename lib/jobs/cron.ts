// A small matcher for the five-field cron expressions Inngest functions use, so embedded
// mode can run cron-triggered functions on the same schedule. Supports `*`, numbers,
// ranges `a-b`, steps `*/n` and `a-b/n`, and lists. Times are UTC, as in Inngest.

const fields = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12 },
  { min: 0, max: 7 },
] as const;

function parseField(text: string, { min, max }: { min: number; max: number }): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, upTo] = range === "*" ? [min, max] : range!.split("-").map(Number);
    const to = upTo ?? (stepText === undefined ? from : max);
    if (![from, to, step].every(Number.isInteger) || step! < 1 || from! < min || to! > max || from! > to!) {
      throw new Error(`invalid cron field "${text}"`);
    }
    for (let v = from!; v <= to!; v += step) values.add(v);
  }
  return values;
}

export function cronMatcher(expression: string): (at: Date) => boolean {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron expression "${expression}" must have 5 fields`);
  const [minute, hour, day, month, weekday] = parts.map((p, i) => parseField(p, fields[i]!));
  if (weekday!.has(7)) weekday!.add(0);
  const dayRestricted = parts[2] !== "*";
  const weekdayRestricted = parts[4] !== "*";
  return (at) => {
    if (!minute!.has(at.getUTCMinutes()) || !hour!.has(at.getUTCHours()) || !month!.has(at.getUTCMonth() + 1)) return false;
    const dayMatch = day!.has(at.getUTCDate());
    const weekdayMatch = weekday!.has(at.getUTCDay());
    // Standard cron: when both day fields are restricted, either may match.
    if (dayRestricted && weekdayRestricted) return dayMatch || weekdayMatch;
    return dayMatch && weekdayMatch;
  };
}
