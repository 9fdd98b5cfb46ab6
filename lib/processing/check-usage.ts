import { getUserPlan } from "@/lib/billing/usage";
import { countUsedVideos } from "@/lib/db/queries/usage";
import type { Db } from "@/lib/db/client";
import { isUsageCounted, type RunClaim } from "@/lib/db/queries/processing";
import { ProcessingError } from "./processing-error";
import { completeStage, enterStage, recordingFailures } from "./run-state";

export type UsageCheck = { planId: string; planName: string; maxDurationSeconds: number; used: number; limit: number };

/**
 * The plan's monthly limit, checked inside the run before any heavy work, so a retry a
 * week later or a duplicate event meets the limit as it is then. A project already
 * counted (it reached `ready` before) does not count against itself.
 */
export async function checkUsage(db: Db, claim: RunClaim, now: Date): Promise<UsageCheck> {
  return recordingFailures(db, claim, "usage", async () => {
    await enterStage(db, claim, "usage");
    const { plan, period } = await getUserPlan(db, claim.userId, now);
    const used = await countUsedVideos(db, claim.userId, period);
    const result = { planId: plan.id, planName: plan.name, maxDurationSeconds: plan.maxDurationSeconds, used, limit: plan.videosPerMonth };
    if (!(await isUsageCounted(db, claim)) && used >= plan.videosPerMonth) {
      throw new ProcessingError(
        "plan_limit_reached",
        `Plan limit reached: the ${plan.name} plan includes ${plan.videosPerMonth} videos a month and ${used} have been processed ` +
          `this period. Upgrade your plan, or retry after ${period.end.toISOString().slice(0, 10)} when the count starts again.`,
        { plan: plan.id, limit: plan.videosPerMonth, used, periodEnd: period.end.toISOString() },
      );
    }
    await completeStage(db, claim, "usage", `${used} of ${plan.videosPerMonth} videos used this period on the ${plan.name} plan.`, {
      plan: plan.id,
      limit: plan.videosPerMonth,
      used,
    });
    return result;
  });
}
