import type { ProjectPage } from "@/lib/projects/list-project-summaries";
import type { ProjectDetails, ProjectSummary } from "@/lib/projects/project-views";
import type { retryProjectOrThrow } from "@/lib/projects/retry-project";
import type { RenameProjectBody } from "@/lib/projects/schemas";
import { apiRequest } from "./request";

// Client for the Projects API.

const path = (projectId: string) => `/api/projects/${encodeURIComponent(projectId)}`;

export const projectsApi = {
  list: (params: { before?: string | null; limit?: number } = {}) => {
    const query = new URLSearchParams();
    if (params.before) query.set("before", params.before);
    if (params.limit) query.set("limit", String(params.limit));
    return apiRequest<ProjectPage>(`/api/projects${query.size ? `?${query}` : ""}`);
  },
  get: (projectId: string) => apiRequest<ProjectDetails>(path(projectId)),
  rename: (projectId: string, title: RenameProjectBody["title"]) =>
    apiRequest<ProjectSummary>(path(projectId), { method: "PATCH", body: { title } }),
  remove: (projectId: string) => apiRequest<void>(path(projectId), { method: "DELETE" }),
  retry: (projectId: string) =>
    apiRequest<Awaited<ReturnType<typeof retryProjectOrThrow>>>(`${path(projectId)}/retry`, { body: {} }),
  eventsUrl: (projectId: string) => `${path(projectId)}/events`,
  changesUrl: (since: string) => `/api/projects/events?since=${encodeURIComponent(since)}`,
};
