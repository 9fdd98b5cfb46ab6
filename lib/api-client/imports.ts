import type { startImport } from "@/lib/imports/start-import";
import { apiRequest } from "./request";

// Client for the URL import API.

export const importsApi = {
  start: (url: string) =>
    apiRequest<Awaited<ReturnType<typeof startImport>>>("/api/imports", { body: { url } }),
};
