import { apiRequest } from "./request";

export const importsApi = {
  start: (url: string) => apiRequest<{ projectId: string }>("/api/imports", { body: { url } }),
};
