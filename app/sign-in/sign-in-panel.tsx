import { supabaseCookieOptions } from "@/lib/auth/supabase-server";
import { env } from "@/lib/env";
import { LocalSignInForm } from "./local-sign-in-form";
import { SupabaseSignInForm } from "./supabase-sign-in-form";

/** The sign-in form for the configured auth mode, in a panel: the sign-in page's and the front door's. */
export function SignInPanel({ className = "", heading: Heading = "h2" }: { className?: string; heading?: "h1" | "h2" }) {
  const { authMode, SUPABASE_URL, SUPABASE_ANON_KEY } = env();
  return (
    <section className={`panel stack ${className}`.trim()} aria-labelledby="sign-in-heading">
      <Heading id="sign-in-heading">Sign in</Heading>
      {authMode === "local" ? (
        <>
          <p className="muted">
            Local mode: enter any email to sign in. The same email always opens the same account.
          </p>
          <LocalSignInForm />
        </>
      ) : (
        <SupabaseSignInForm supabaseUrl={SUPABASE_URL!} anonKey={SUPABASE_ANON_KEY!} cookieOptions={supabaseCookieOptions()} />
      )}
    </section>
  );
}
