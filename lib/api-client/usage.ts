import type { UsageSummary } from "@/lib/billing/get-usage-summary";
import { apiRequest, type Json } from "./request";

// Client for GET /api/usage: the plan in force, its limits and the videos used this period.

export type Usage = Json<UsageSummary>;

export const usageApi = {
  get: () => apiRequest<Usage>("/api/usage"),
};
