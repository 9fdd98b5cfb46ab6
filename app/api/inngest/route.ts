import { serve } from "inngest/next";
import { inngest } from "@/lib/jobs/client";
import { functions } from "@/inngest";
import { guardServeEndpoint } from "@/lib/jobs/guard-serve-endpoint";

const endpoint = serve({ client: inngest, functions });

// GET|POST|PUT /api/inngest — the Inngest serve endpoint (introspection, sync, runs); what it executes depends on the jobs mode
export const GET = guardServeEndpoint(endpoint.GET);
export const POST = guardServeEndpoint(endpoint.POST);
export const PUT = guardServeEndpoint(endpoint.PUT);
