import { env } from "@/lib/env";

// Structured logs: one JSON object per line, so operators can grep and ship them.
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function serialize(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

function currentLevel(): Level | "silent" {
  try {
    return env().LOG_LEVEL;
  } catch {
    return "info";
  }
}

function write(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  if (order[level] < order[currentLevel()]) return;
  const entry: Record<string, unknown> = { level, time: new Date().toISOString(), event };
  for (const [key, value] of Object.entries(fields)) entry[key] = serialize(value);
  const line = JSON.stringify(entry);
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

export const log = {
  debug: (event: string, fields?: Record<string, unknown>) => write("debug", event, fields),
  info: (event: string, fields?: Record<string, unknown>) => write("info", event, fields),
  warn: (event: string, fields?: Record<string, unknown>) => write("warn", event, fields),
  error: (event: string, fields?: Record<string, unknown>) => write("error", event, fields),
};
