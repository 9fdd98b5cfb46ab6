import Stripe from "stripe";
import { AppError } from "@/lib/api/errors";
import { bodyLimits, readBodyText } from "@/lib/api/read-body";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { billingNotConfigured } from "./stripe-client";

/**
 * The Stripe event in a webhook delivery, after checking its signature against the raw
 * body with the SDK (and the SDK's default timestamp tolerance, which refuses replays of
 * old deliveries). Anything else is refused before it touches the database, and a
 * request without a signature before its body is read at all.
 */
export async function verifyStripeEvent(request: Request): Promise<Stripe.Event> {
  const secret = env().STRIPE_WEBHOOK_SECRET;
  if (!secret) {
    // Answering 503 (not 200) makes Stripe keep retrying until the setting is fixed.
    log.error("stripe_webhook_not_configured", { missing: "STRIPE_WEBHOOK_SECRET" });
    throw billingNotConfigured("STRIPE_WEBHOOK_SECRET");
  }
  const signature = request.headers.get("stripe-signature");
  if (!signature) {
    throw new AppError("invalid_signature", "The Stripe-Signature header is missing.");
  }
  // The signature covers the exact bytes Stripe sent, so the body is read as text, never re-serialised.
  const rawBody = await readBodyText(request, { maxBytes: bodyLimits.stripeWebhook });
  try {
    return await Stripe.webhooks.constructEventAsync(rawBody, signature, secret);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      const reason = error.message.split("\n")[0]!.trim();
      log.warn("stripe_webhook_signature_refused", { reason });
      throw new AppError("invalid_signature", `The Stripe signature was refused: ${reason}`);
    }
    throw error;
  }
}
