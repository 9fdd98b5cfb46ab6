import type { UsageSummary } from "@/lib/billing/get-usage-summary";
import { plans, type Plan } from "@/lib/billing/plans";
import { isLiveSubscriptionStatus } from "@/lib/billing/subscription-status";
import { formatBytes, formatDate, formatDuration } from "@/lib/format";
import { BillingButton } from "./billing-button";
import styles from "./billing.module.css";

export type CheckoutResult = "success" | "canceled" | null;

/** The billing page's content: plan, usage, the way to upgrade or manage, and why not when billing is off. */
export function BillingOverview({ summary, checkoutResult }: { summary: UsageSummary; checkoutResult: CheckoutResult }) {
  const { videos, subscription } = summary;
  const onFree = summary.plan === "free";
  const hasLiveSubscription = subscription !== null && isLiveSubscriptionStatus(subscription.status);
  const disabledReason = summary.billingEnabled ? undefined : "billing-disabled";
  const disabledNote = "Unavailable: billing is not set up on this server.";

  return (
    <>
      <h1>Billing</h1>

      {checkoutResult === "success" && (
        <p className={`${styles.notice} ${styles.ok}`} role="status">
          Thanks! Stripe is confirming your upgrade; this page shows Pro as soon as it has. Reload in a moment if it
          does not yet.
        </p>
      )}
      {checkoutResult === "canceled" && (
        <p className={styles.notice} role="status">
          Checkout was cancelled and nothing was charged. You are still on the {summary.planName} plan.
        </p>
      )}

      {summary.paymentFailed && subscription?.paymentFailedAt && (
        <section className={`${styles.notice} ${styles.danger}`} role="alert" aria-labelledby="payment-failed-title">
          <h2 id="payment-failed-title">Your last payment failed</h2>
          <p>
            Stripe could not charge your card on {formatDate(subscription.paymentFailedAt)}.{" "}
            {onFree
              ? "Pro is off until the open invoice is paid: update your payment method and Stripe charges it again."
              : `You keep the Pro plan until ${formatDate(summary.period.end)}. Update your payment method to keep it after that.`}
          </p>
          {hasLiveSubscription && (
            <BillingButton
              action="portal"
              label="Update payment method"
              disabled={!summary.billingEnabled}
              disabledNote={disabledNote}
              describedBy={disabledReason}
            />
          )}
        </section>
      )}

      {!summary.billingEnabled && (
        <section id="billing-disabled" className={`${styles.notice} ${styles.muted}`} aria-labelledby="billing-off-title">
          <h2 id="billing-off-title">Billing is not set up on this server</h2>
          <p>
            Upgrading and managing a subscription need Stripe, which this server is not configured for (its operator
            sets <code>STRIPE_SECRET_KEY</code>). The free plan&apos;s limits apply to everyone until then.
          </p>
        </section>
      )}

      <section className={`panel ${styles.current}`} aria-labelledby="current-plan-title">
        <div className={styles.planHead}>
          <h2 id="current-plan-title">{summary.planName} plan</h2>
          <PlanStatus summary={summary} />
        </div>

        <p className={styles.usageLine}>
          <strong>
            {videos.used} of {videos.limit}
          </strong>{" "}
          videos used this period
          {videos.inProgress > 0 && <span className="muted"> ({videos.inProgress} in progress)</span>}
        </p>
        <meter
          className={styles.meter}
          min={0}
          max={videos.limit}
          low={Math.floor(videos.limit * 0.7)}
          high={Math.floor(videos.limit * 0.9)}
          optimum={0}
          value={Math.min(videos.used + videos.inProgress, videos.limit)}
          aria-label={`${videos.used + videos.inProgress} of ${videos.limit} videos used or in progress`}
        />
        <dl className={styles.facts}>
          <div>
            <dt>Period</dt>
            <dd>
              {formatDate(summary.period.start)} – {formatDate(summary.period.end)}
            </dd>
          </div>
          <div>
            <dt>Videos left</dt>
            <dd>{videos.remaining}</dd>
          </div>
          <div>
            <dt>Largest upload</dt>
            <dd>{formatBytes(summary.maxUploadBytes)}</dd>
          </div>
          <div>
            <dt>Longest video</dt>
            <dd>{formatDuration(summary.maxDurationSeconds)}</dd>
          </div>
        </dl>

        {subscription && (
          <BillingButton
            action="portal"
            label="Manage billing"
            secondary
            disabled={!summary.billingEnabled}
            disabledNote={disabledNote}
            describedBy={disabledReason}
          />
        )}
      </section>

      <section className={styles.plans} aria-labelledby="plans-title">
        <h2 id="plans-title">Plans</h2>
        <div className={styles.planGrid}>
          {Object.values(plans).map((plan) => (
            <PlanCard key={plan.id} plan={plan} current={plan.id === summary.plan}>
              {plan.id === "pro" && onFree && !hasLiveSubscription && (
                <BillingButton
                  action="checkout"
                  label="Upgrade to Pro"
                  disabled={!summary.billingEnabled}
                  disabledNote={disabledNote}
                  describedBy={disabledReason}
                />
              )}
            </PlanCard>
          ))}
        </div>
      </section>
    </>
  );
}

function PlanStatus({ summary }: { summary: UsageSummary }) {
  const { subscription } = summary;
  if (summary.plan === "free" || !subscription) {
    return (
      <p className="muted">
        {subscription && !isLiveSubscriptionStatus(subscription.status) && "Your Pro subscription has ended. "}
        Your videos reset on {formatDate(summary.period.end)}.
      </p>
    );
  }
  if (subscription.status === "canceled" || subscription.cancelAtPeriodEnd) {
    return (
      <p className={styles.warn}>
        Cancelled: Pro stays until {formatDate(summary.period.end)}
        {isLiveSubscriptionStatus(subscription.status) ? ". Renew it from Manage billing." : ", then the free plan applies."}
      </p>
    );
  }
  if (summary.paymentFailed) {
    return <p className={styles.warn}>Payment failed: Pro holds until {formatDate(summary.period.end)}.</p>;
  }
  return <p className="muted">Renews on {formatDate(summary.period.end)}.</p>;
}

function PlanCard({ plan, current, children }: { plan: Plan; current: boolean; children?: React.ReactNode }) {
  return (
    <article className={`panel ${styles.planCard}`} aria-labelledby={`plan-${plan.id}`} aria-current={current || undefined}>
      <h3 id={`plan-${plan.id}`}>
        {plan.name}
        {current && <span className={styles.badge}>Your plan</span>}
      </h3>
      <ul>
        <li>{plan.videosPerMonth} videos a month</li>
        <li>Uploads up to {formatBytes(plan.maxUploadBytes)}</li>
        <li>Videos up to {formatDuration(plan.maxDurationSeconds)} long</li>
      </ul>
      {children}
    </article>
  );
}
