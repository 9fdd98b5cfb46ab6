import type { CheckoutBody } from "@/lib/billing/schemas";
import { apiRequest } from "./request";

// Client for the billing API: each call answers with the Stripe page to go to.

export const billingApi = {
  checkout: (plan: CheckoutBody["plan"]) => apiRequest<{ url: string }>("/api/billing/checkout", { body: { plan } }),
  portal: () => apiRequest<{ url: string }>("/api/billing/portal", { body: {} }),
};
