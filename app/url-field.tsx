"use client";

import { useId } from "react";

/**
 * A labelled URL input with a hint, its submit button, and the error tied to the input
 * (aria-invalid, aria-describedby) — the shape of every "paste a link" form.
 */
export function UrlField(props: {
  label: string;
  hint: string;
  hintClassName?: string;
  placeholder: string;
  error: string | null;
  pending: boolean;
  submitLabel: string;
  pendingLabel: string;
}) {
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  return (
    <>
      <label htmlFor={inputId}>{props.label}</label>
      <p className={props.hintClassName ?? "muted"} id={hintId}>
        {props.hint}
      </p>
      <div className="inline-field">
        <input
          id={inputId}
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder={props.placeholder}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? `${hintId} ${errorId}` : hintId}
        />
        <button type="submit" disabled={props.pending}>
          {props.pending ? props.pendingLabel : props.submitLabel}
        </button>
      </div>
      <p className="field-error" id={errorId} role="alert">
        {props.error}
      </p>
    </>
  );
}
