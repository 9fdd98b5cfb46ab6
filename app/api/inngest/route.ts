import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import { jobFunctions } from "@/inngest";
import { inngestClient } from "@/lib/jobs/client";
import { guardServeEndpoint } from "@/lib/jobs/guard-serve-endpoint";

type Endpoint = ReturnType<typeof serve>;
type Context = Parameters<Endpoint["GET"]>[1];

// Made on the first request, from the settings (not when `next build` loads this module).
let endpoint: Endpoint | undefined;
const served = () => (endpoint ??= serve({ client: inngestClient(), functions: jobFunctions() }));

// GET|POST|PUT /api/inngest — the Inngest serve endpoint (introspection, sync, runs); what it executes depends on the jobs mode
export const GET = guardServeEndpoint((request: NextRequest, context: Context) => served().GET(request, context));
export const POST = guardServeEndpoint((request: NextRequest, context: Context) => served().POST(request, context));
export const PUT = guardServeEndpoint((request: NextRequest, context: Context) => served().PUT(request, context));
