import type { ProjectDetails, ProjectSummary } from "@/lib/projects/project-views";
import { apiRequest } from "./request";

// Client for the Projects API (docs: api.md "Projects").

export type ProjectPage = { projects: ProjectSummary[]; nextCursor: string | null };

const path = (projectId: string) => `/api/projects/${encodeURIComponent(projectId)}`;

export const projectsApi = {
  list: (params: { before?: string | null; limit?: number } = {}) => {
    const query = new URLSearchParams();
    if (params.before) query.set("before", params.before);
    if (params.limit) query.set("limit", String(params.limit));
    return apiRequest<ProjectPage>(`/api/projects${query.size ? `?${query}` : ""}`);
  },
  get: (projectId: string) => apiRequest<ProjectDetails>(path(projectId)),
  rename: (projectId: string, title: string) =>
    apiRequest<ProjectSummary>(path(projectId), { method: "PATCH", body: { title } }),
  remove: (projectId: string) => apiRequest<void>(path(projectId), { method: "DELETE" }),
  retry: (projectId: string) => apiRequest<{ projectId: string; status: string }>(`${path(projectId)}/retry`, { body: {} }),
  eventsUrl: (projectId: string) => `${path(projectId)}/events`,
  changesUrl: (since: string) => `/api/projects/events?since=${encodeURIComponent(since)}`,
};
