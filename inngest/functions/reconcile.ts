import { inngestClient } from "@/lib/jobs/client";
import { env } from "@/lib/env";
import { defaultReconcileDeps, reconcileSettings, runReconcile } from "@/lib/reconcile/run-reconcile";

// The safety net behind "no video in limbo": every few minutes, find each stuck state a
// client, a network or a crash can leave behind and repair it, one named step per kind
// so the dashboard shows what each run found. `npm run reconcile` runs the same parts once.
// In embedded mode a newly started process runs it at once with `interruptedBefore` (see
// lib/jobs/embedded-cron.ts): what the previous process had under way is re-driven now.
export function reconcileFunction() {
  return inngestClient().createFunction(
    {
      id: "reconcile",
      name: "Reconcile stuck uploads, events and runs",
      triggers: [{ cron: env().RECONCILE_CRON }],
      concurrency: [{ limit: 1 }],
      retries: 1,
    },
    async ({ event, step }) => {
      const restart = (event.data as { interruptedBefore?: unknown } | undefined)?.interruptedBefore;
      const settings = reconcileSettings({ interruptedBefore: typeof restart === "string" ? new Date(restart) : undefined });
      // step.run types a result as the JSON it memoizes; each part returns plain counts,
      // which come back from JSON as they went in.
      return runReconcile(settings, defaultReconcileDeps, (name, part) => step.run(name, part) as ReturnType<typeof part>);
    },
  );
}
