"use client";

import { useState } from "react";
import styles from "./billing.module.css";

const endpoints = {
  checkout: { path: "/api/billing/checkout", body: { plan: "pro" } },
  portal: { path: "/api/billing/portal", body: undefined },
} as const;

/**
 * Asks the server for a Stripe page (Checkout or the Customer Portal) and goes there.
 * Disabled buttons name the reason through `describedBy`.
 */
export function BillingButton(props: {
  action: keyof typeof endpoints;
  label: string;
  disabled?: boolean;
  /** Why the button is disabled, shown under it. */
  disabledNote?: string;
  describedBy?: string;
  secondary?: boolean;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = `${props.action}-error`;

  async function go() {
    setPending(true);
    setError(null);
    const { path, body } = endpoints[props.action];
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body ?? {}),
        credentials: "same-origin",
      });
      const payload = (await response.json().catch(() => null)) as
        | { url?: string; error?: { message?: string } }
        | null;
      if (response.ok && payload?.url) {
        window.location.assign(payload.url);
        return;
      }
      setError(payload?.error?.message ?? `The server answered ${response.status}. Try again in a moment.`);
    } catch {
      setError("Could not reach ClipCrafter. Check your connection and try again.");
    }
    setPending(false);
  }

  const describedBy = [props.describedBy, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={styles.action}>
      <button
        type="button"
        className={props.secondary ? "secondary" : undefined}
        disabled={props.disabled || pending}
        aria-describedby={describedBy}
        onClick={go}
      >
        {pending ? "Opening Stripe…" : props.label}
      </button>
      {props.disabled && props.disabledNote && <p className={styles.note}>{props.disabledNote}</p>}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
