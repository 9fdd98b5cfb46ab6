"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { WebhookSettings } from "@/lib/webhooks/get-webhook-settings";
import { EndpointCard } from "./endpoint-card";
import { NewSecret } from "./new-secret";
import { RegisterEndpointForm } from "./register-endpoint-form";
import styles from "./webhooks.module.css";

/** The webhooks settings page: register an endpoint, see its secret once, and follow every delivery. */
export function WebhooksSettings({ settings }: { settings: WebhookSettings }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const refresh = () => startRefresh(() => router.refresh());

  return (
    <>
      <div className="page-head">
        <h1>Webhooks</h1>
        {settings.length > 0 && (
          <button type="button" className="secondary" onClick={refresh} disabled={refreshing}>
            {refreshing ? "Refreshing…" : "Refresh delivery log"}
          </button>
        )}
      </div>
      <p className={styles.intro}>
        ClipCrafter sends a signed <code>POST</code> to each of your endpoints when one of your projects becomes ready or
        fails. Requests carry the Standard Webhooks headers <code>webhook-id</code>, <code>webhook-timestamp</code> and{" "}
        <code>webhook-signature</code>; verify them with the endpoint&apos;s secret before trusting the body. A failed
        delivery is retried for about 7 hours; an endpoint that answers <code>410 Gone</code> is switched off.
      </p>

      <section className="panel" aria-labelledby="add-endpoint-title">
        <h2 id="add-endpoint-title">Add an endpoint</h2>
        <RegisterEndpointForm
          onRegistered={(result) => {
            setCreated(result);
            refresh();
          }}
        />
      </section>

      {created && <NewSecret url={created.url} secret={created.secret} onDone={() => setCreated(null)} />}

      <section className="section-gap" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Your endpoints</h2>
        {settings.length === 0 ? (
          <div className={`panel ${styles.empty}`}>
            <p>No endpoints yet.</p>
            <p className="muted">
              Add the URL of a server that should hear about your projects; its deliveries will be listed here.
            </p>
          </div>
        ) : (
          <ul className={styles.endpointList}>
            {settings.map(({ endpoint, deliveries }) => (
              <li key={endpoint.id}>
                <EndpointCard endpoint={endpoint} deliveries={deliveries} onChanged={refresh} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
