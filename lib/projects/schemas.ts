import { z } from "zod";
import { forbiddenCharacter } from "@/lib/uploads/check-filename";

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
    .max(300, "The title can be at most 300 characters.")
    .superRefine((title, ctx) => {
      const codePoint = forbiddenCharacter(title);
      if (codePoint) {
        ctx.addIssue({
          code: "custom",
          message: `The title contains a control or text-direction character (${codePoint}), which can disguise what it says. Remove it and try again.`,
        });
      }
    }),
});

// Times a client may name: from the Unix epoch to a day ahead (clocks drift). Anything
// else is not a time any project could have, and Postgres cannot hold every JS Date.
export const EARLIEST_TIME = Date.UTC(1970, 0, 1);
export const latestTime = () => Date.now() + 24 * 60 * 60 * 1000;

export const projectChangesQuery = z.object({
  since: z.iso
    .datetime({ offset: true, error: "since must be an ISO 8601 time." })
    .refine((value) => {
      const at = Date.parse(value);
      return at >= EARLIEST_TIME && at <= latestTime();
    }, "since must be a time between 1970 and now (a day ahead at most, for clock drift).")
    .optional(),
});

export type RenameProjectBody = z.infer<typeof renameProjectBody>;
