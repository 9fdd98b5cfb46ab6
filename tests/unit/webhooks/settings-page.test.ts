import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DeliveryLog } from "@/app/settings/webhooks/delivery-log";
import { EndpointCard } from "@/app/settings/webhooks/endpoint-card";
import { NewSecret } from "@/app/settings/webhooks/new-secret";
import type { WebhookDeliveryView, WebhookEndpointView } from "@/lib/webhooks/views";

const endpoint = (overrides: Partial<WebhookEndpointView> = {}): WebhookEndpointView => ({
  id: "7d0c2f3e-7b1a-4c55-9a0e-3f1e2d4c5b6a",
  url: "https://hooks.example.com/clipcrafter",
  enabled: true,
  disabledReason: null,
  createdAt: "2026-11-22T10:00:00.000Z",
  updatedAt: "2026-11-22T10:00:00.000Z",
  ...overrides,
});

const delivery = (overrides: Partial<WebhookDeliveryView> = {}): WebhookDeliveryView => ({
  id: "0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
  endpointId: endpoint().id,
  messageId: "status-p1-error-1795341600000",
  eventType: "project.error",
  projectId: "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
  status: "delivered",
  attempts: 3,
  lastStatusCode: 200,
  lastError: null,
  createdAt: "2026-11-22T10:00:00.000Z",
  lastAttemptAt: "2026-11-22T10:01:05.000Z",
  nextAttemptAt: null,
  deliveredAt: "2026-11-22T10:01:05.120Z",
  payload: { type: "project.error", data: { title: "launch-talk.mp4" } },
  attemptLog: [
    { attempt: 1, at: "2026-11-22T10:00:00.000Z", durationMs: 31, statusCode: 500, error: "HTTP 500", responseBody: "database down" },
    { attempt: 2, at: "2026-11-22T10:00:05.000Z", durationMs: 15000, statusCode: null, error: "No answer within 15 s.", responseBody: null },
    { attempt: 3, at: "2026-11-22T10:01:05.000Z", durationMs: 12, statusCode: 200, error: null, responseBody: "ok" },
  ],
  ...overrides,
});

const renderLog = (deliveries: WebhookDeliveryView[]) => renderToStaticMarkup(createElement(DeliveryLog, { deliveries }));

describe("webhooks settings page", () => {
  it("lists every attempt of a delivery with its time, status code or error", () => {
    const html = renderLog([delivery()]);
    expect(html).toContain("Delivered");
    expect(html).toMatch(/<dt>Attempts<\/dt><dd>3<\/dd>/);
    expect(html).toContain("3 attempts");
    expect(html).toContain("Attempt 1 · <time");
    expect(html).toContain("22 Nov 2026, 10:00:00 UTC");
    expect(html).toContain("HTTP 500");
    expect(html).toContain("database down");
    expect(html).toContain("No answer within 15 s.");
    expect(html).toContain("HTTP 200");
    expect(html).toContain('href="/projects/5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"');
    expect(html).toContain(">launch-talk.mp4</a>");
  });

  it("shows when a retrying delivery will be attempted next, and why the last attempt failed", () => {
    const html = renderLog([
      delivery({ status: "pending", attempts: 2, lastStatusCode: 503, lastError: "HTTP 503", deliveredAt: null, nextAttemptAt: "2026-11-22T10:06:00.000Z" }),
    ]);
    expect(html).toContain("Retrying");
    expect(html).toMatch(/<dt>Last answer<\/dt><dd[^>]*>HTTP 503<\/dd>/);
    expect(html).toMatch(/<dt>Next attempt<\/dt><dd><time dateTime="2026-11-22T10:06:00.000Z">/);
    expect(html).not.toContain("<dt>Delivered</dt>");
  });

  it("says so when an endpoint has no deliveries yet", () => {
    expect(renderLog([])).toContain("No deliveries yet.");
  });

  it("says why a disabled endpoint is off and offers to switch it on", () => {
    const reason = "The endpoint answered 410 Gone on 2026-11-22 10:00:00Z, which means it wants no more webhooks.";
    const html = renderToStaticMarkup(
      createElement(EndpointCard, { endpoint: endpoint({ enabled: false, disabledReason: reason }), deliveries: [], onChanged: () => {} }),
    );
    expect(html).toContain("Off");
    expect(html).toContain("Not receiving webhooks.");
    expect(html).toContain(reason);
    expect(html).toMatch(/<button[^>]*aria-describedby="[^"]+"[^>]*>Switch on<\/button>/);
  });

  it("shows a new endpoint's secret with a copy button and says it is shown once", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const html = renderToStaticMarkup(createElement(NewSecret, { url: endpoint().url, secret, onDone: () => {} }));
    expect(html).toContain(`value="${secret}"`);
    expect(html).toContain("This is the only time it is shown.");
    expect(html).toMatch(/<button[^>]*>Copy<\/button>/);
    expect(html).toMatch(/<label for="[^"]+">Secret<\/label>/);
  });
});
