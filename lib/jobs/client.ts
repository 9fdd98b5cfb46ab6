import { Inngest } from "inngest";
import { jobsEnv } from "@/lib/env";

const settings = jobsEnv();

export const inngest = new Inngest({
  id: "clipcrafter",
  // Outside Inngest Cloud the serve endpoint talks to the Dev Server, or (embedded mode)
  // is only introspected: neither signs requests.
  isDev: settings.inngestMode !== "cloud",
  ...(settings.inngestMode === "dev" ? { baseUrl: settings.devServerUrl } : {}),
  eventKey: settings.eventKey,
  signingKey: settings.signingKey,
});
