import type { NextRequest } from "next/server";
import { refreshSupabaseSession } from "@/lib/auth/refresh-session";

// Keeps a Supabase session alive for as long as Supabase allows: an expiring access token
// is refreshed before the page or API route reads it (see lib/auth/refresh-session.ts).
export function proxy(request: NextRequest) {
  return refreshSupabaseSession(request);
}

export const config = {
  // Everything but static assets: pages, API routes and SSE reconnects all read the session.
  // Not the routes that never carry a Supabase session (Stripe, Inngest, local sign-in, the
  // bench): Next.js reads a proxied request's whole body before the route runs, and these
  // refuse an oversized or unsigned body before reading it (lib/api/read-body.ts).
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/webhooks/stripe|api/inngest|api/auth/dev-login|api/bench).*)"],
};
