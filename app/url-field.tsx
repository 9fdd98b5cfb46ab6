"use client";

import { useId, useState } from "react";
import { ApiError } from "@/lib/api-client/request";

/**
 * The submit handler of a form around a UrlField: an empty field is refused with
 * `emptyMessage` before anything is sent, and a refusal from the server is shown next to
 * the field. The form is cleared once `submit` succeeds.
 */
export function useUrlSubmit(options: {
  emptyMessage: string;
  failureMessage: string;
  submit: (url: string) => Promise<void>;
  onStart?: () => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const url = String(new FormData(form).get("url") ?? "").trim();
    setError(null);
    options.onStart?.();
    if (!url) {
      setError(options.emptyMessage);
      return;
    }
    setPending(true);
    try {
      await options.submit(url);
      form.reset();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : options.failureMessage);
    } finally {
      setPending(false);
    }
  }

  return { pending, error, setError, onSubmit };
}

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
