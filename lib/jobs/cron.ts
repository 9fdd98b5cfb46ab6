import { Cron } from "croner";

// Cron triggers in embedded mode, read the way Inngest reads them: five fields, times in
// UTC unless the expression starts with `TZ=<zone>`, and when both day fields are
// restricted either one matching is enough (Vixie cron; croner's default, `domAndDow`
// false). croner parses and schedules; this only says how.

const TIMEZONE_PREFIX = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/;

/**
 * The croner job for `expression`: running `run` at each time it names (its timer does not
 * hold the process open; `.stop()` ends it), or, without `run`, paused, to ask when it
 * matches. Throws, naming the expression, when it is not one Inngest would accept.
 */
export function cronSchedule(expression: string, run?: () => void): Cron {
  const prefixed = TIMEZONE_PREFIX.exec(expression.trim());
  const pattern = prefixed ? prefixed[2]!.trim() : expression.trim();
  const timezone = prefixed ? prefixed[1]! : "Etc/UTC";
  if (!pattern.startsWith("@") && pattern.split(/\s+/).length !== 5) {
    throw new Error(`cron expression "${expression}" must have 5 fields`);
  }
  const options = { timezone, mode: "5-part", paused: !run, unref: true } as const;
  try {
    return run ? new Cron(pattern, options, run) : new Cron(pattern, options);
  } catch (error) {
    throw new Error(`cron expression "${expression}" has an invalid cron field: ${(error as Error).message}`);
  }
}
