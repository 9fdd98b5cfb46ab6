import { z } from "zod";

export const checkoutBody = z.object({
  plan: z.literal("pro", { error: 'Choose the plan to upgrade to: "pro".' }),
});

export type CheckoutBody = z.infer<typeof checkoutBody>;
