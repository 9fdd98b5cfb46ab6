import { db } from "@/lib/db/client";
import { pingDatabase } from "@/lib/db/queries/health";

export const dynamic = "force-dynamic";

// GET /api/health — liveness and database reachability, for the dev runner and probes
export async function GET(): Promise<Response> {
  try {
    await pingDatabase(db());
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: { code: "service_unavailable", message: "Database unreachable." } }, { status: 503 });
  }
}
