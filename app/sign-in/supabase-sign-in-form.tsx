"use client";

import { createBrowserClient } from "@supabase/ssr";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";

type Props = { supabaseUrl: string; anonKey: string; cookieOptions: { name: string; secure: boolean } };

export function SupabaseSignInForm({ supabaseUrl, anonKey, cookieOptions: { name, secure } }: Props) {
  const router = useRouter();
  // The session lands in cookies, where proxy.ts refreshes it and the server reads it.
  // Refreshing is left to the server alone: two refreshers would race to rotate the
  // same single-use refresh token.
  const supabase = useMemo(
    () =>
      createBrowserClient(supabaseUrl, anonKey, {
        cookieOptions: { name, secure },
        isSingleton: false,
        auth: { autoRefreshToken: false },
      }),
    [supabaseUrl, anonKey, name, secure],
  );
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { data, error: signInError } = await supabase.auth.signInWithPassword({
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    setPending(false);
    if (signInError || !data.session) {
      setError(signInError?.message ?? "Could not sign in.");
      return;
    }
    router.push("/projects");
    router.refresh();
  }

  return (
    <form className="stack" onSubmit={onSubmit}>
      <label>
        Email
        <input type="email" name="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input type="password" name="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
