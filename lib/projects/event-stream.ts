import { log } from "@/lib/log";
import { sleepUnlessAborted } from "@/lib/timers";

// Server-sent events for live project updates. The stream polls Postgres (the source of
// truth every step writes to) rather than listening for notifications: it works through
// Supabase's transaction pooler and needs nothing beside the database.

export type StreamMessage = { event: string; data: unknown };

export type StreamTiming = {
  pollIntervalMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** Streams end (with an `end` event) after this long; clients reconnect. Serverless hosts cap request time. */
  maxDurationMs: number;
};

export const defaultStreamTiming: StreamTiming = {
  pollIntervalMs: 1000,
  heartbeatMs: 15_000,
  maxDurationMs: 4 * 60_000,
};

export const streamHeaders = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // no-transform: a compressing proxy (or `next start`'s gzip) would otherwise hold events back.
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

export function formatMessage(message: StreamMessage): string {
  return `event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

/**
 * A text/event-stream body that calls `poll` until it says `done`, the client goes away,
 * or the stream has run for `maxDurationMs`. It ends with an `end` event so a client can
 * tell a deliberate end from a broken connection (which should make it fall back to
 * polling). A failing poll closes the stream without `end`.
 */
export function pollingEventStream(options: {
  signal: AbortSignal;
  timing?: Partial<StreamTiming>;
  poll: () => Promise<{ messages: StreamMessage[]; done: boolean }>;
  /** Called once when the stream has ended, however it ended (frees the person's stream slot). */
  onClose?: () => void;
}): ReadableStream<Uint8Array> {
  const timing = { ...defaultStreamTiming, ...options.timing };
  const encoder = new TextEncoder();
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  let cancelled = false;
  options.signal.addEventListener("abort", stop, { once: true });

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!stopped.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      const run = async () => {
        const startedAt = Date.now();
        let lastWriteAt = startedAt;
        write(`retry: 2000\n\n`);
        while (!stopped.signal.aborted) {
          const { messages, done } = await options.poll();
          for (const message of messages) write(formatMessage(message));
          if (messages.length > 0) lastWriteAt = Date.now();
          if (done) {
            write(formatMessage({ event: "end", data: { reason: "settled" } }));
            return;
          }
          if (Date.now() - startedAt >= timing.maxDurationMs) {
            write(formatMessage({ event: "end", data: { reason: "reconnect" } }));
            return;
          }
          if (Date.now() - lastWriteAt >= timing.heartbeatMs) {
            write(`: heartbeat\n\n`);
            lastWriteAt = Date.now();
          }
          await sleepUnlessAborted(timing.pollIntervalMs, stopped.signal);
        }
      };
      run()
        .catch((error: unknown) => log.warn("event_stream_failed", { error }))
        .finally(() => {
          options.signal.removeEventListener("abort", stop);
          stop();
          options.onClose?.();
          if (!cancelled) controller.close();
        });
    },
    cancel() {
      cancelled = true;
      stop();
    },
  });
}
