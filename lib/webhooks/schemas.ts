import { z } from "zod";

export const MAX_ENDPOINTS_PER_USER = 10;
export const DELIVERIES_PAGE_SIZE = 50;

export const registerEndpointBody = z.object({
  url: z
    .string({ error: "Give the URL that should receive webhooks." })
    .trim()
    .min(1, "Give the URL that should receive webhooks.")
    .max(2048, "The URL can be at most 2,048 characters."),
});

export const updateEndpointBody = z.object({
  enabled: z.boolean({ error: "enabled must be true or false." }),
});

export type RegisterEndpointBody = z.infer<typeof registerEndpointBody>;
export type UpdateEndpointBody = z.infer<typeof updateEndpointBody>;
