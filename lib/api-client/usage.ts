import { apiRequest } from "./request";

// The part of GET /api/usage the pages show (docs: api.md "Usage and billing").
export type Usage = {
  plan: string;
  planName?: string;
  videos: { used: number; limit: number; inProgress?: number };
  maxUploadBytes: number;
  maxDurationSeconds: number;
};

export const usageApi = {
  get: () => apiRequest<Usage>("/api/usage"),
};
