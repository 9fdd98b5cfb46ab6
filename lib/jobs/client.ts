import { Inngest } from "inngest";
import { env } from "@/lib/env";

let client: Inngest | undefined;

/** The Inngest client, made from the settings on first use (not when this module loads). */
export function inngestClient(): Inngest {
  if (!client) {
    const settings = env();
    client = new Inngest({
      id: "clipcrafter",
      // Outside Inngest Cloud the serve endpoint talks to the Dev Server, or (embedded mode)
      // is only introspected: neither signs requests.
      isDev: settings.inngestMode !== "cloud",
      ...(settings.inngestMode === "dev" ? { baseUrl: settings.INNGEST_DEV_SERVER_URL } : {}),
      eventKey: settings.INNGEST_EVENT_KEY,
      signingKey: settings.INNGEST_SIGNING_KEY,
    });
  }
  return client;
}
