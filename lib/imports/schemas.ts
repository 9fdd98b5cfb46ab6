import { z } from "zod";

export const createImportBody = z.object({
  url: z
    .string({ error: "Paste a link to a video file." })
    .trim()
    .min(1, "Paste a link to a video file.")
    .max(4096, "That link is too long (over 4096 characters)."),
});
