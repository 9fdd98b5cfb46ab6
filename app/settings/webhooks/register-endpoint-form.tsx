"use client";

import { useState } from "react";
import { ApiError } from "@/lib/api-client/request";
import { webhooksApi } from "@/lib/api-client/webhooks";
import { UrlField } from "@/app/url-field";

export function RegisterEndpointForm({ onRegistered }: { onRegistered: (result: { url: string; secret: string }) => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

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
      <UrlField
        label="Endpoint URL"
        hint="A public http or https address of your server. Private, loopback and cloud metadata addresses are refused."
        placeholder="https://example.com/webhooks/clipcrafter"
        error={error}
        pending={pending}
        submitLabel="Add endpoint"
        pendingLabel="Adding…"
      />
    </form>
  );
}
