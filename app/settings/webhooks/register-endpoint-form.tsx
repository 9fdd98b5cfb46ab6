"use client";

import { webhooksApi } from "@/lib/api-client/webhooks";
import { UrlField, useUrlSubmit } from "@/app/url-field";

export function RegisterEndpointForm({ onRegistered }: { onRegistered: (result: { url: string; secret: string }) => void }) {
  const { pending, error, onSubmit } = useUrlSubmit({
    emptyMessage: "Enter the URL that should receive webhooks.",
    failureMessage: "Could not add the endpoint. Try again.",
    submit: async (url) => {
      const { endpoint, secret } = await webhooksApi.register(url);
      onRegistered({ url: endpoint.url, secret });
    },
  });

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
