import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest";

// GET|POST|PUT /api/inngest — the Inngest serve endpoint (introspection, sync, runs)
export const { GET, POST, PUT } = serve({ client: inngest, functions });
