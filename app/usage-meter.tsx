"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { usageApi, type Usage } from "@/lib/api-client/usage";

export const USAGE_CHANGED_EVENT = "clipcrafter:usage-changed";

/** Tells usage meters on the page to read usage again (after an upload or import starts). */
export function announceUsageChanged(): void {
  window.dispatchEvent(new Event(USAGE_CHANGED_EVENT));
}

/** Videos used of the plan's limit this period, with the plan's name. Fixed size: no layout jump when it loads. */
export function UsageMeter() {
  const [usage, setUsage] = useState<Usage | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(() => {
    usageApi
      .get()
      .then((u) => {
        setUsage(u);
        setFailed(false);
      })
      .catch(() => setFailed(true));
  }, []);

  useEffect(() => {
    load();
    window.addEventListener(USAGE_CHANGED_EVENT, load);
    window.addEventListener("focus", load);
    return () => {
      window.removeEventListener(USAGE_CHANGED_EVENT, load);
      window.removeEventListener("focus", load);
    };
  }, [load]);

  if (!usage) {
    return (
      <section className="usage-meter" aria-label="Usage" aria-busy={!failed}>
        <p className="usage-line muted">{failed ? "Usage is not available right now." : "Loading usage…"}</p>
        <div className="usage-bar-placeholder" />
      </section>
    );
  }

  const { used, limit, inProgress } = usage.videos;
  const { planName } = usage;
  const full = used + inProgress >= limit;
  return (
    <section className="usage-meter" aria-label="Usage">
      <p className="usage-line">
        <strong>{planName} plan</strong>
        <span>
          {used} of {limit} videos used this period
          {inProgress > 0 && <span className="muted"> ({inProgress} in progress)</span>}
        </span>
      </p>
      <meter
        min={0}
        max={limit}
        low={Math.floor(limit * 0.7)}
        high={Math.floor(limit * 0.9)}
        optimum={0}
        value={Math.min(used + inProgress, limit)}
        aria-label={`${used} of ${limit} videos used`}
      />
      {full && (
        <p className="usage-full">
          You have reached this period&apos;s limit. <Link href="/billing">Upgrade your plan</Link> to add more videos.
        </p>
      )}
    </section>
  );
}
