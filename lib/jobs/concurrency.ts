// Concurrency limits as Inngest applies them, for the embedded runner. A function's
// `concurrency` is a list of limits that all hold at once: an unkeyed limit counts every
// run of the function; a keyed one counts runs per value of its key expression (one
// person's imports against their own limit). A run waits until every group it belongs to
// has room; when a slot frees, the waiting runs that now fit start in the order they came,
// so a run held by its own key never holds up another key's runs behind it.

import { dataPathFields, readDataPath } from "./event-data-path";

export type RunEventLike = { name: string; data: Record<string, unknown> };
type ConcurrencyOption = number | { limit: number; key?: string; scope?: "fn" | "env" | "account" };

export type ConcurrencyRule = {
  limit: number;
  /** Which group an event's run counts against. */
  group: (event: RunEventLike) => string;
};

const STRING_LITERAL = /^"([^"\\]*)"$|^'([^'\\]*)'$/;

/**
 * Compiles a key expression. Inngest evaluates CEL; this evaluates the forms the project
 * uses — `event.data.<field>` (nested fields too) and a quoted string — and refuses any
 * other expression, so a limit is never silently dropped.
 */
export function compileConcurrencyKey(expression: string, functionId: string): (event: RunEventLike) => string {
  const trimmed = expression.trim();
  const literal = STRING_LITERAL.exec(trimmed);
  if (literal) {
    const value = literal[1] ?? literal[2] ?? "";
    return () => JSON.stringify(value);
  }
  const fields = dataPathFields(trimmed, "event.data");
  if (!fields) {
    throw new Error(
      `embedded mode cannot evaluate the concurrency key ${JSON.stringify(expression)} of function ${functionId}: ` +
        `it evaluates event.data.<field> and quoted strings. Use one of those, or run this function on Inngest.`,
    );
  }
  // Runs whose event lacks the field share one group, as a null key does in Inngest.
  return (event) => JSON.stringify(readDataPath(event.data, fields) ?? null);
}

/** A function's limits, refused at registration when one cannot be applied faithfully. */
export function concurrencyRules(functionId: string, option: ConcurrencyOption | ConcurrencyOption[] | undefined): ConcurrencyRule[] {
  const entries = option === undefined ? [] : Array.isArray(option) ? option : [option];
  return entries.flatMap((entry, index): ConcurrencyRule[] => {
    const { limit, key, scope = "fn" } = typeof entry === "number" ? { limit: entry } : entry;
    if (!(limit > 0)) return []; // 0 means "no limit" to Inngest (the plan's maximum)
    // Scope fn: this function's runs only. Scopes env and account share the group with
    // every function using the same key; in one process both mean "this runner".
    const namespace = scope === "fn" ? `fn:${functionId}:${index}` : `${scope}`;
    if (key === undefined) return [{ limit, group: () => namespace }];
    const evaluate = compileConcurrencyKey(key, functionId);
    return [{ limit, group: (event) => `${namespace}:${evaluate(event)}` }];
  });
}

type Waiter = { groups: { id: string; limit: number }[]; start: () => void };

export class ConcurrencyGate {
  private readonly running = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  /**
   * Resolves with a release function once the run fits every limit, or with null if
   * `signal` aborts first (a run cancelled while it waited never starts).
   */
  acquire(rules: ConcurrencyRule[], event: RunEventLike, signal?: AbortSignal): Promise<(() => void) | null> {
    const groups = rules.map((rule) => ({ id: rule.group(event), limit: rule.limit }));
    const release = () => {
      for (const g of groups) {
        const n = (this.running.get(g.id) ?? 1) - 1;
        if (n <= 0) this.running.delete(g.id);
        else this.running.set(g.id, n);
      }
      this.startWaiting();
    };
    if (signal?.aborted) return Promise.resolve(null);
    // A waiting run that fitted would have started already: those still waiting are held
    // by a full group, so a run that fits now does not queue behind them.
    if (this.fits(groups)) {
      this.take(groups);
      return Promise.resolve(release);
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        groups,
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(null);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private fits(groups: { id: string; limit: number }[]): boolean {
    return groups.every((g) => (this.running.get(g.id) ?? 0) < g.limit);
  }

  private take(groups: { id: string; limit: number }[]): void {
    for (const g of groups) this.running.set(g.id, (this.running.get(g.id) ?? 0) + 1);
  }

  private startWaiting(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i]!;
      if (this.fits(waiter.groups)) {
        this.waiting.splice(i, 1);
        this.take(waiter.groups);
        waiter.start();
      } else {
        i++;
      }
    }
  }
}
