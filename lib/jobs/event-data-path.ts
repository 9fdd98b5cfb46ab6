// A dot path into an event's data (`data.project.id` in a cancelOn match, `event.data.userId`
// in a concurrency key): the one form of Inngest expression the embedded runner evaluates
// itself. Parsed once at registration, read for every event.

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The fields `expression` names after `root`, or undefined when it is not such a path. */
export function dataPathFields(expression: string, root: "data" | "event.data"): string[] | undefined {
  const prefix = `${root}.`;
  if (!expression.startsWith(prefix)) return undefined;
  const fields = expression.slice(prefix.length).split(".");
  return fields.every((field) => FIELD.test(field)) ? fields : undefined;
}

/** The value at `fields` in `data`; undefined where the path leaves the object. */
export function readDataPath(data: Record<string, unknown>, fields: readonly string[]): unknown {
  let value: unknown = data;
  for (const field of fields) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[field] : undefined;
  return value;
}
