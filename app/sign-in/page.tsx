import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { supabaseCookieOptions } from "@/lib/auth/supabase-server";
import { env } from "@/lib/env";
import { LocalSignInForm } from "./local-sign-in-form";
import { SupabaseSignInForm } from "./supabase-sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (await currentUser()) redirect("/projects");
  const { authMode, SUPABASE_URL, SUPABASE_ANON_KEY } = env();
  return (
    <section className="panel auth-card stack">
      <h1>Sign in</h1>
      {authMode === "local" ? (
        <>
          <p className="muted">
            Local mode: enter any email to sign in. The same email always opens the same account.
          </p>
          <LocalSignInForm />
        </>
      ) : (
        <SupabaseSignInForm
          supabaseUrl={SUPABASE_URL!}
          anonKey={SUPABASE_ANON_KEY!}
          cookieOptions={supabaseCookieOptions()}
        />
      )}
    </section>
  );
}
