import Link from "next/link";
import { formatDateTime } from "@/lib/format";
import type { StatusChangePayload } from "@/lib/webhooks/status-change-payload";
import type { WebhookAttemptView, WebhookDeliveryView } from "@/lib/webhooks/views";
import styles from "./webhooks.module.css";

const statusText: Record<WebhookDeliveryView["status"], string> = {
  delivered: "Delivered",
  pending: "Retrying",
  failed: "Failed",
};

const statusClass: Record<WebhookDeliveryView["status"], string> = {
  delivered: "status-ready",
  pending: "status-processing",
  failed: "status-error",
};

const eventText: Record<string, string> = { "project.ready": "Project ready", "project.error": "Project failed" };

function projectTitle(delivery: WebhookDeliveryView): string {
  const title = (delivery.payload as Partial<StatusChangePayload> | null)?.data?.title;
  return title || "the project";
}

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso, { seconds: true })}</time>;
}

function answer(a: { statusCode: number | null; error: string | null }): string {
  if (a.error) return a.error;
  return a.statusCode === null ? "—" : `HTTP ${a.statusCode}`;
}

function AttemptList({ attempts }: { attempts: WebhookAttemptView[] }) {
  return (
    <ol className={styles.attempts}>
      {attempts.map((a, i) => (
        <li key={`${a.attempt}-${i}`}>
          <span className={styles.attemptHead}>
            Attempt {a.attempt} · <Time iso={a.at} /> · {a.durationMs} ms
          </span>
          <span className={a.error ? styles.attemptFailed : undefined}>{answer(a)}</span>
          {a.responseBody && a.error && <code className={`${styles.responseBody} break`}>{a.responseBody}</code>}
        </li>
      ))}
    </ol>
  );
}

/** Every delivery to one endpoint, newest first: its state, attempts, last answer and times. */
export function DeliveryLog({ deliveries }: { deliveries: WebhookDeliveryView[] }) {
  if (deliveries.length === 0) {
    return (
      <p className="muted small">No deliveries yet. They appear here when one of your projects becomes ready or fails.</p>
    );
  }
  return (
    <section className={styles.log}>
      <h4 className={styles.logTitle}>Delivery log</h4>
      <ul className={styles.deliveries}>
        {deliveries.map((d) => (
          <li key={d.id} className={styles.delivery}>
            <div className={styles.deliveryHead}>
              <span className={styles.eventName}>
                {eventText[d.eventType] ?? d.eventType}
                {d.projectId && (
                  <>
                    {": "}
                    <Link href={`/projects/${d.projectId}`} className="break">
                      {projectTitle(d)}
                    </Link>
                  </>
                )}
              </span>
              <span className={`status ${statusClass[d.status]}`}>
                <span className="status-dot" aria-hidden="true" />
                {statusText[d.status]}
              </span>
            </div>
            <dl className={styles.facts}>
              <dt>Attempts</dt>
              <dd>{d.attempts}</dd>
              <dt>Last answer</dt>
              <dd className="break">{d.attempts === 0 && !d.lastError ? "Not sent yet" : answer({ statusCode: d.lastStatusCode, error: d.lastError })}</dd>
              <dt>Created</dt>
              <dd>
                <Time iso={d.createdAt} />
              </dd>
              {d.deliveredAt && (
                <>
                  <dt>Delivered</dt>
                  <dd>
                    <Time iso={d.deliveredAt} />
                  </dd>
                </>
              )}
              {d.status === "pending" && d.nextAttemptAt && (
                <>
                  <dt>Next attempt</dt>
                  <dd>
                    <Time iso={d.nextAttemptAt} />
                  </dd>
                </>
              )}
            </dl>
            {d.attemptLog.length > 0 && (
              <details className={styles.attemptDetails}>
                <summary>
                  {d.attemptLog.length === 1 ? "1 attempt" : `${d.attemptLog.length} attempts`} · webhook-id{" "}
                  <code className="break">{d.messageId}</code>
                </summary>
                <AttemptList attempts={d.attemptLog} />
              </details>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
