import { z } from "zod";

export const PROJECTS_PAGE_SIZE = 50;
export const MAX_PROJECTS_PAGE_SIZE = 100;

export const listProjectsQuery = z.object({
  before: z.string().min(1).optional(),
  limit: z.coerce
    .number({ error: "limit must be a number." })
    .int("limit must be a whole number.")
    .min(1, "limit must be at least 1.")
    .max(MAX_PROJECTS_PAGE_SIZE, `limit can be at most ${MAX_PROJECTS_PAGE_SIZE}.`)
    .default(PROJECTS_PAGE_SIZE),
});

export const renameProjectBody = z.object({
  title: z
    .string({ error: "Give the project a title." })
    .trim()
    .min(1, "The title cannot be empty.")
    .max(300, "The title can be at most 300 characters."),
});

export const projectChangesQuery = z.object({
  since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 time." }).optional(),
});

export type RenameProjectBody = z.infer<typeof renameProjectBody>;
