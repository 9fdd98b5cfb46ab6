"use client";

import { useId, useState } from "react";
import { ApiError } from "@/lib/api-client/request";
import { webhooksApi } from "@/lib/webhooks/api-client";

export function RegisterEndpointForm({ onRegistered }: { onRegistered: (result: { url: string; secret: string }) => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const url = String(new FormData(form).get("url") ?? "").trim();
    setError(null);
    if (!url) {
      setError("Enter the URL that should receive webhooks.");
      return;
    }
    setPending(true);
    try {
      const { endpoint, secret } = await webhooksApi.register(url);
      form.reset();
      onRegistered({ url: endpoint.url, secret });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not add the endpoint. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <label htmlFor={inputId}>Endpoint URL</label>
      <p className="muted" id={hintId}>
        A public http or https address of your server. Private, loopback and cloud metadata addresses are refused.
      </p>
      <div className="inline-field">
        <input
          id={inputId}
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://example.com/webhooks/clipcrafter"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        />
        <button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add endpoint"}
        </button>
      </div>
      <p className="field-error" id={errorId} role="alert">
        {error}
      </p>
    </form>
  );
}
