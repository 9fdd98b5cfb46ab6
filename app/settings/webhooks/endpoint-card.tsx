"use client";

import { useId, useRef, useState } from "react";
import { ApiError } from "@/lib/api-client/request";
import { webhooksApi } from "@/lib/api-client/webhooks";
import { formatDateTime } from "@/lib/format";
import type { WebhookDeliveryView, WebhookEndpointView } from "@/lib/webhooks/views";
import { DeliveryLog } from "./delivery-log";
import styles from "./webhooks.module.css";

/** One endpoint: its state (and why it is off), switch on/off, delete, and its delivery log. */
export function EndpointCard(props: { endpoint: WebhookEndpointView; deliveries: WebhookDeliveryView[]; onChanged: () => void }) {
  const { endpoint } = props;
  const [pending, setPending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const reasonId = useId();

  async function act(action: () => Promise<unknown>, failure: string) {
    setPending(true);
    setError(null);
    try {
      await action();
      props.onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : failure);
    } finally {
      setPending(false);
      setConfirming(false);
    }
  }

  return (
    <article className={`panel ${styles.endpoint}`} aria-labelledby={titleId}>
      <div className={styles.endpointHead}>
        <h3 id={titleId} className={`break ${styles.endpointUrl}`}>
          {endpoint.url}
        </h3>
        <span className={`status ${endpoint.enabled ? "status-ready" : "status-error"}`}>
          <span className="status-dot" aria-hidden="true" />
          {endpoint.enabled ? "On" : "Off"}
        </span>
      </div>
      <p className="muted small">Added {formatDateTime(endpoint.createdAt, { seconds: true })}</p>

      {!endpoint.enabled && (
        <p id={reasonId} className={`notice ${styles.disabledReason}`}>
          <strong>Not receiving webhooks.</strong> {endpoint.disabledReason ?? "It was switched off."}
        </p>
      )}

      <div className="row-actions">
        <button
          type="button"
          className="secondary"
          disabled={pending}
          aria-describedby={endpoint.enabled ? undefined : reasonId}
          onClick={() => void act(() => webhooksApi.setEnabled(endpoint.id, !endpoint.enabled), "Could not change the endpoint. Try again.")}
        >
          {endpoint.enabled ? "Switch off" : "Switch on"}
        </button>
        {confirming ? (
          <span className="row-actions" role="group" aria-label={`Confirm deleting ${endpoint.url}`}>
            <button
              ref={confirmButton}
              type="button"
              className="danger"
              disabled={pending}
              onClick={() => void act(() => webhooksApi.remove(endpoint.id), "Could not delete the endpoint. Try again.")}
            >
              {pending ? "Deleting…" : "Yes, delete it and its log"}
            </button>
            <button type="button" className="secondary" disabled={pending} onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="danger"
            disabled={pending}
            onClick={() => {
              setConfirming(true);
              requestAnimationFrame(() => confirmButton.current?.focus());
            }}
          >
            Delete
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}

      <DeliveryLog deliveries={props.deliveries} />
    </article>
  );
}
