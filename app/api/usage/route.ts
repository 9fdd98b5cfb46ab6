import { withUser } from "@/lib/api/with-user";
import { getUsageSummary } from "@/lib/billing/get-usage-summary";
import { asUser } from "@/lib/db/as-user";

// GET /api/usage — the plan in force, its limits and the videos used this period
export const GET = withUser(async (_request, { user, claims }) => {
  const summary = await asUser(claims, (tx) => getUsageSummary(tx, user.id, new Date()));
  return Response.json(summary);
});
