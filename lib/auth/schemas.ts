import { z } from "zod";

export const devLoginBody = z.object({
  email: z.email({ error: "Enter a valid email address." }).max(254),
});

export const sessionBody = z.object({
  accessToken: z.string().min(20).max(8192),
});
