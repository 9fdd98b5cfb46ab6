import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { pollingEventStream } from "@/lib/projects/event-stream";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a polling event stream", () => {
  it("stops within moments of the client going away mid-pause, frees its slot, and logs no failure", async () => {
    const warn = vi.spyOn(log, "warn");
    const client = new AbortController();
    let polls = 0;
    let closed!: () => void;
    const closedAt = new Promise<number>((resolve) => (closed = () => resolve(Date.now())));
    const stream = pollingEventStream({
      signal: client.signal,
      // A pause far longer than the test: only the abort can end it in time.
      timing: { pollIntervalMs: 60_000 },
      poll: async () => {
        polls++;
        return { messages: [], done: false };
      },
      onClose: () => closed(),
    });
    const reader = stream.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("retry: 2000\n\n");
    await vi.waitFor(() => expect(polls).toBe(1));

    const abortedAt = Date.now();
    client.abort();

    expect((await closedAt) - abortedAt).toBeLessThan(1000);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(polls).toBe(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it("stops at once when the client goes away during a poll, instead of pausing once more first", async () => {
    const client = new AbortController();
    let closed!: () => void;
    const closedAt = new Promise<number>((resolve) => (closed = () => resolve(Date.now())));
    let abortedAt = 0;
    const stream = pollingEventStream({
      signal: client.signal,
      timing: { pollIntervalMs: 60_000 },
      poll: async () => {
        abortedAt = Date.now();
        client.abort();
        return { messages: [], done: false };
      },
      onClose: () => closed(),
    });
    const reader = stream.getReader();
    await reader.read();

    expect((await closedAt) - abortedAt).toBeLessThan(1000);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });
});
