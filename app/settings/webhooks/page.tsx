import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { getWebhookSettings } from "@/lib/webhooks/get-webhook-settings";
import { WebhooksSettings } from "./webhooks-settings";

export const metadata: Metadata = { title: "Webhooks" };
export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  const { claims } = await requireUser();
  return <WebhooksSettings settings={await getWebhookSettings(claims)} />;
}
