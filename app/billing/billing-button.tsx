"use client";

import { useState } from "react";
import { billingApi } from "@/lib/api-client/billing";
import { ApiError } from "@/lib/api-client/request";
import styles from "./billing.module.css";

const actions = {
  checkout: () => billingApi.checkout("pro"),
  portal: () => billingApi.portal(),
};

/**
 * Asks the server for a Stripe page (Checkout or the Customer Portal) and goes there.
 * Disabled buttons name the reason through `describedBy`.
 */
export function BillingButton(props: {
  action: keyof typeof actions;
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
    try {
      const { url } = await actions[props.action]();
      window.location.assign(url);
      return;
    } catch (error) {
      setError(error instanceof ApiError ? error.message : "Something went wrong. Try again in a moment.");
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
